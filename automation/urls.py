from django.urls import path

from automation import views

app_name = "automation"
urlpatterns = [
    path("", views.rules, name="rules"),
    path("rules/new/", views.rule_new, name="rule_new"),
    path("rules/<int:pk>/", views.rule_edit, name="rule_edit"),
    path("rules/<int:pk>/impact/", views.rule_impact, name="rule_impact"),
    path("rules/<int:pk>/toggle/", views.rule_toggle, name="rule_toggle"),
    path("templates/", views.templates, name="templates"),
    path("templates/new/", views.template_new, name="template_new"),
    path("templates/<int:pk>/", views.template_edit, name="template_edit"),
    path("templates/<int:pk>/preview/", views.template_preview, name="template_preview"),
    path("templates/<int:pk>/test/", views.template_test, name="template_test"),
    path("ready-made/<int:dealership_pk>/", views.install_ready_made, name="install_ready_made"),
    path("outbox/", views.outbox, name="outbox"),
    path("dev-outbox/", views.dev_outbox, name="dev_outbox"),
    path("lead/<int:pk>/message/", views.lead_message, name="lead_message"),
    path("whatsapp/", views.whatsapp_settings, name="whatsapp"),
    path("whatsapp/sender/<int:dealership_pk>/", views.whatsapp_sender, name="whatsapp_sender"),
    path("whatsapp/templates/new/", views.whatsapp_template_new, name="whatsapp_template_new"),
    path(
        "whatsapp/templates/<int:pk>/", views.whatsapp_template_edit, name="whatsapp_template_edit"
    ),
    path(
        "whatsapp/templates/<int:pk>/delete/",
        views.whatsapp_template_delete,
        name="whatsapp_template_delete",
    ),
]
