"""The in-app settings area: people and roles, dealerships, sources. Each app owns its views."""

from django.urls import path

from accounts import settings_views as people
from dealerlms import views
from dealers import views as dealers
from leads import source_views as sources

app_name = "settings"
urlpatterns = [
    path("", views.settings_index, name="index"),
    path("people/", people.people, name="people"),
    path("people/new/", people.person_new, name="person_new"),
    path("people/<int:pk>/", people.person_edit, name="person_edit"),
    path("dealerships/<int:pk>/", dealers.dealership_edit, name="dealership"),
    path("sources/", sources.source_list, name="sources"),
    path("sources/new/", sources.source_edit, name="source_new"),
    path("sources/<int:pk>/", sources.source_edit, name="source_edit"),
]
