from django.urls import path

from distribution import views

app_name = "distribution"
urlpatterns = [
    path("queue/", views.queue, name="queue"),
    path("reassign/", views.reassign, name="reassign"),
    path("leads/<int:pk>/take/", views.take, name="take"),
    path("bdc/", views.bdc, name="bdc"),
    path("bdc/<int:pk>/take/", views.bdc_take, name="bdc_take"),
    path("bdc/<int:pk>/handoff/", views.bdc_handoff, name="bdc_handoff"),
    path("fairness/", views.fairness, name="fairness"),
]
