from django.urls import path

from calls import views

app_name = "calls"
urlpatterns = [
    path("", views.call_list, name="list"),
    path("<int:pk>/rate/", views.rate, name="rate"),
    path("lead/<int:pk>/call/", views.click_to_call, name="click_to_call"),
    path("settings/", views.call_settings, name="settings"),
    path("settings/<int:pk>/numbers/", views.tracking_number_add, name="number_add"),
    path("numbers/<int:pk>/delete/", views.tracking_number_delete, name="number_delete"),
    path("speed/", views.speed, name="speed"),
    # Twilio's webhooks (signed; docs in calls/services.py)
    path("twilio/<int:pk>/agent/", views.agent_answered, name="agent_answered"),
    path("twilio/<int:pk>/choice/", views.agent_choice, name="agent_choice"),
    path("twilio/<int:pk>/customer/", views.customer_answered, name="customer_answered"),
    path("twilio/<int:pk>/dial-done/", views.dial_done, name="dial_done"),
    path("twilio/<int:pk>/status/", views.agent_status, name="agent_status"),
    path("twilio/<int:pk>/recording/", views.recording, name="recording"),
    path("twilio/inbound/", views.inbound, name="inbound"),
    path("twilio/inbound/status/", views.inbound_status, name="inbound_status"),
    path("twilio/<int:pk>/whisper/", views.inbound_whisper, name="inbound_whisper"),
    path("twilio/<int:pk>/next/", views.inbound_next, name="inbound_next"),
    path("twilio/<int:pk>/voicemail/", views.voicemail_done, name="voicemail_done"),
]
