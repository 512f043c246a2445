"""Public machine endpoints (tests/urlwalk.py PUBLIC says why each may be reached without a login)."""

from django.urls import path

from automation import delivery

app_name = "hooks"
urlpatterns = [
    path("twilio/status/<uuid:uid>/", delivery.twilio_status, name="twilio_status"),
    path("twilio/sms/", delivery.twilio_inbound, name="twilio_sms"),
    path("unsubscribe/<str:token>/", delivery.unsubscribe, name="unsubscribe"),
]
