from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.generic import RedirectView

from accounts import two_factor_views
from dealerlms import views
from inbound import api as inbound_api
from inbound import google_ads
from inbound.provider_views import SparkPostInbound

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/login/", two_factor_views.LoginView.as_view(), name="login"),
    # The second step for people with two-factor login (accounts/two_factor_views.py).
    path("accounts/login/code/", two_factor_views.login_code, name="login_code"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Forgotten password: Django's own views (reachable without a login), our templates.
    path("accounts/password-reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("me/", include("accounts.urls")),
    path("leads/", include("leads.urls")),
    path("leads/", include("inbound.urls")),
    path("distribution/", include("distribution.urls")),
    path("settings/", include("dealerlms.settings_urls")),
    path("settings/automation/", include("automation.urls")),
    path("settings/integrations/", include("integrations.urls")),
    path("followup/", include("followup.urls")),
    path("notifications/", include("automation.notification_urls")),
    # Machine endpoints, authenticated by their own means (docs/inbound.md):
    path("anymail/sparkpost/inbound/", SparkPostInbound.as_view(), name="sparkpost_inbound"),
    path("anymail/", include("anymail.urls")),
    path("api/v1/leads", inbound_api.submit_lead, name="api_leads"),
    path("inbound/google-ads/<int:source_id>/", google_ads.receive, name="inbound_google_ads"),
    path("api/v1/", include("integrations.api_urls")),
    path("hooks/", include("automation.hook_urls")),
    path("appraisals/", include("appraisals.urls")),
    path("dashboards/", include("dashboards.urls")),
    path("calls/", include("calls.urls")),
    path("conversations/", include("conversations.urls")),
    # The Django admin logs in through the same door (password, then the code when asked for).
    path(
        "admin/login/",
        login_not_required(RedirectView.as_view(pattern_name="login", query_string=True)),
    ),
    path("admin/", admin.site.urls),
]
