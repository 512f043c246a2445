from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("presence/", views.set_presence, name="presence"),
]
