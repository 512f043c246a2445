from django.urls import path

from dashboards import views

app_name = "dashboards"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("leads/", views.drill_down_list, name="leads"),
    path("targets/", views.targets, name="targets"),
    path("targets/<int:pk>/delete/", views.delete_target, name="delete_target"),
]
