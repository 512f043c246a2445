from django.urls import path

from leads import inbox_views, views

app_name = "leads"
urlpatterns = [
    path("", views.lead_list, name="list"),
    path("<int:pk>/", views.lead_detail, name="detail"),
    path("<int:pk>/contact/", views.log_contact, name="log_contact"),
    path("<int:pk>/status/", views.change_status, name="change_status"),
    path("<int:pk>/note/", views.add_note, name="add_note"),
    path("inbox/", inbox_views.inbox, name="inbox"),
    path("inbox/<int:pk>/", inbox_views.inbox_detail, name="inbox_detail"),
    path("inbox/<int:pk>/reparse/", inbox_views.inbox_reparse, name="inbox_reparse"),
    path("inbox/<int:pk>/discard/", inbox_views.inbox_discard, name="inbox_discard"),
    path("inbox/<int:pk>/route/", inbox_views.inbox_route, name="inbox_route"),
    path("inbox/<int:pk>/create/", inbox_views.inbox_create_lead, name="inbox_create_lead"),
    path("sources/", inbox_views.source_list, name="sources"),
    path("sources/<int:pk>/labels/", inbox_views.source_labels, name="source_labels"),
    path(
        "sources/<int:pk>/labels/<int:label_pk>/delete/",
        inbox_views.source_label_delete,
        name="source_label_delete",
    ),
    path("sources/<int:pk>/reparse/", inbox_views.source_reparse, name="source_reparse"),
    path("sources/<int:pk>/token/", inbox_views.source_rotate_token, name="source_token"),
]
