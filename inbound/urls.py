"""Pages for what came in: the quarantine of messages that are not (yet) leads, and each
source's labels, re-parse and API token. Mounted under /leads/ beside the lead pages."""

from django.urls import path

from inbound import views

app_name = "inbound"
urlpatterns = [
    path("quarantine/", views.quarantine_list, name="quarantine"),
    path("quarantine/<int:pk>/", views.quarantine_detail, name="quarantine_detail"),
    path("quarantine/<int:pk>/raw/", views.quarantine_raw, name="quarantine_raw"),
    path(
        "quarantine/<int:pk>/reparse/",
        views.quarantine_reparse,
        name="quarantine_reparse",
    ),
    path(
        "quarantine/<int:pk>/is-a-lead/",
        views.quarantine_confirm_lead,
        name="quarantine_confirm_lead",
    ),
    path(
        "quarantine/<int:pk>/discard/",
        views.quarantine_discard,
        name="quarantine_discard",
    ),
    path("quarantine/<int:pk>/map-key/", views.quarantine_map_key, name="quarantine_map_key"),
    path("quarantine/<int:pk>/route/", views.quarantine_route, name="quarantine_route"),
    path(
        "quarantine/<int:pk>/create/",
        views.quarantine_create_lead,
        name="quarantine_create_lead",
    ),
    path("sources/<int:pk>/labels/", views.source_labels, name="source_labels"),
    path(
        "sources/<int:pk>/labels/<int:label_pk>/delete/",
        views.source_label_delete,
        name="source_label_delete",
    ),
    path("sources/<int:pk>/reparse/", views.source_reparse, name="source_reparse"),
    path("sources/<int:pk>/token/", views.source_rotate_token, name="source_token"),
    path(
        "sources/<int:pk>/google-ads-key/",
        views.source_google_ads_key,
        name="source_google_ads_key",
    ),
]
