from django.urls import path

from leads import quarantine_views, views

app_name = "leads"
urlpatterns = [
    path("", views.lead_list, name="list"),
    path("mine/", views.inbox, name="inbox"),
    path("<int:pk>/", views.lead_detail, name="detail"),
    path("<int:pk>/contact/", views.log_contact, name="log_contact"),
    path("<int:pk>/status/", views.change_status, name="change_status"),
    path("<int:pk>/note/", views.add_note, name="add_note"),
    path("<int:pk>/edit/", views.edit_lead, name="edit"),
    path("<int:pk>/appointment/", views.set_appointment, name="set_appointment"),
    path("<int:pk>/delete/", views.delete_lead, name="delete"),
    path("<int:pk>/erase-customer/", views.erase_customer, name="erase_customer"),
    path("quarantine/", quarantine_views.quarantine_list, name="quarantine"),
    path("quarantine/<int:pk>/", quarantine_views.quarantine_detail, name="quarantine_detail"),
    path(
        "quarantine/<int:pk>/reparse/",
        quarantine_views.quarantine_reparse,
        name="quarantine_reparse",
    ),
    path(
        "quarantine/<int:pk>/discard/",
        quarantine_views.quarantine_discard,
        name="quarantine_discard",
    ),
    path("quarantine/<int:pk>/route/", quarantine_views.quarantine_route, name="quarantine_route"),
    path(
        "quarantine/<int:pk>/create/",
        quarantine_views.quarantine_create_lead,
        name="quarantine_create_lead",
    ),
    path("sources/<int:pk>/labels/", quarantine_views.source_labels, name="source_labels"),
    path(
        "sources/<int:pk>/labels/<int:label_pk>/delete/",
        quarantine_views.source_label_delete,
        name="source_label_delete",
    ),
    path("sources/<int:pk>/reparse/", quarantine_views.source_reparse, name="source_reparse"),
    path("sources/<int:pk>/token/", quarantine_views.source_rotate_token, name="source_token"),
]
