from django.urls import path

from followup import views

app_name = "followup"
urlpatterns = [
    path("today/", views.today, name="today"),
    path("leads/<int:lead_pk>/tasks/", views.task_add, name="task_add"),
    path("tasks/<int:pk>/done/", views.task_done, name="task_done"),
    path("calendar/", views.calendar, name="calendar"),
    path("appointments/<int:lead_pk>.ics", views.appointment_invite, name="invite"),
    path("behind/", views.behind, name="behind"),
    path("cadences/", views.cadences, name="cadences"),
    path("cadences/<int:pk>/steps/", views.cadence_step_add, name="cadence_step_add"),
    path("cadences/steps/<int:pk>/delete/", views.cadence_step_delete, name="cadence_step_delete"),
    path("cadences/<int:pk>/bdc/", views.cadence_bdc, name="cadence_bdc"),
]
