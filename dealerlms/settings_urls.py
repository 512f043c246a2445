"""The in-app settings area: people and roles, dealerships, sources. Each app owns its views."""

from django.urls import path

from accounts import settings_views as people
from dealerlms import views
from dealers import views as dealers
from distribution import settings_views as distribution
from inbound import source_views as sources

app_name = "settings"
urlpatterns = [
    path("", views.settings_index, name="index"),
    path("people/", people.people, name="people"),
    path("people/new/", people.person_new, name="person_new"),
    path("people/<int:pk>/", people.person_edit, name="person_edit"),
    path("people/<int:pk>/unlock/", people.person_unlock, name="person_unlock"),
    path(
        "people/<int:pk>/two-factor/reset/",
        people.person_two_factor_reset,
        name="person_two_factor_reset",
    ),
    path("dealerships/<int:pk>/", dealers.dealership_edit, name="dealership"),
    path("sources/", sources.source_list, name="sources"),
    path("sources/new/", sources.source_edit, name="source_new"),
    path("sources/<int:pk>/", sources.source_edit, name="source_edit"),
    path("distribution/", distribution.rules_index, name="distribution"),
    path("distribution/<int:pk>/", distribution.rules, name="distribution_rules"),
    path("distribution/<int:pk>/new/", distribution.rule_new, name="distribution_rule_new"),
    path("distribution/rules/<int:pk>/", distribution.rule_edit, name="distribution_rule"),
    path(
        "distribution/rules/<int:pk>/delete/",
        distribution.rule_delete,
        name="distribution_rule_delete",
    ),
    path(
        "distribution/rules/<int:pk>/move/", distribution.rule_move, name="distribution_rule_move"
    ),
    path("absences/", distribution.absences, name="absences"),
    path("absences/<int:pk>/delete/", distribution.absence_delete, name="absence_delete"),
]
