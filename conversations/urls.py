from django.urls import path

from conversations import views

app_name = "conversations"
urlpatterns = [
    path("<int:pk>/", views.thread, name="thread"),
    path("<int:pk>/reply/", views.reply, name="reply"),
]
