from django.urls import path

from integrations import views

app_name = "integrations"
urlpatterns = [
    path("", views.index, name="index"),
    path("forwardings/new/", views.forwarding_edit, name="forwarding_new"),
    path("forwardings/<int:pk>/", views.forwarding_detail, name="forwarding"),
    path("forwardings/<int:pk>/edit/", views.forwarding_edit, name="forwarding_edit"),
    path("forwardings/<int:pk>/send/", views.forwarding_send_lead, name="forwarding_send"),
    path("deliveries/<int:pk>/send-again/", views.delivery_send_again, name="send_again"),
    path("tokens/new/", views.token_new, name="token_new"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("sales/", views.sales_upload, name="sales"),
]
