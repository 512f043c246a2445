from django.urls import path

from accounts import two_factor_views, views

app_name = "accounts"
urlpatterns = [
    path("presence/", views.set_presence, name="presence"),
    path("security/", two_factor_views.security, name="two_factor"),
    path("security/disable/", two_factor_views.disable, name="two_factor_disable"),
    path("security/backup-codes/", two_factor_views.backup_codes, name="two_factor_backup_codes"),
    path(
        "security/end-other-sessions/",
        two_factor_views.end_other_sessions,
        name="end_other_sessions",
    ),
]
