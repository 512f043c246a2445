"""Two-factor login in the app: the login's second step, and each person's own security page
(set up an authenticator app, backup codes, turn it off). The rules are in accounts/two_factor.py.

The password step never signs anyone in whose login asks for a code: it only remembers, in the
session and for a few minutes, who gave the right password. The session is signed in when the
code is right too. Wrong codes count as failed logins for django-axes (the same lockout as wrong
passwords), and the device's own throttling makes each next try wait longer.
"""

from __future__ import annotations

import time

import django_otp
from axes.handlers.proxy import AxesProxyHandler
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_static.models import StaticDevice

from accounts import login as way_in
from accounts import services, two_factor
from accounts.models import User


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "text",
                "autocapitalize": "off",
                "spellcheck": "false",
                "autofocus": True,
            }
        ),
    )


class LoginView(auth_views.LoginView):
    """The password step. Someone with two-factor login goes on to the code step instead of
    being signed in."""

    def form_valid(self, form):
        user = form.get_user()
        if not two_factor.has_device(user):
            return super().form_valid(form)
        session = self.request.session
        session.cycle_key()  # a new session key at each privilege step (no fixation)
        session[two_factor.PENDING_KEY] = {
            "user": user.pk,
            "backend": user.backend,
            "at": time.time(),
            "next": self.get_success_url(),
        }
        return redirect("login_code")


def _pending_user(request: HttpRequest) -> tuple[User | None, dict]:
    pending = request.session.get(two_factor.PENDING_KEY) or {}
    fresh = time.time() - pending.get("at", 0) < settings.TWO_FACTOR_STEP_SECONDS
    user = User.objects.filter(pk=pending.get("user"), is_active=True).first() if fresh else None
    if user is None:
        request.session.pop(two_factor.PENDING_KEY, None)
    return user, pending


@login_not_required
@sensitive_post_parameters("code")
@csrf_protect
@never_cache
def login_code(request: HttpRequest) -> HttpResponse:
    """The second step: the code from the authenticator app, or a backup code."""
    user, pending = _pending_user(request)
    if user is None:
        if request.method == "POST":
            messages.error(request, _("That took too long: please log in again."))
        return redirect("login")
    credentials = {"username": user.get_username()}
    if not AxesProxyHandler.is_allowed(request, credentials):
        request.session.pop(two_factor.PENDING_KEY, None)
        return way_in.lockout_response(request, None, credentials)
    form = CodeForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        result = two_factor.verify(user=user, code=form.cleaned_data["code"])
        if result.device is not None:
            request.session.pop(two_factor.PENDING_KEY, None)
            auth_login(request, user, backend=pending["backend"])
            django_otp.login(request, result.device)
            if isinstance(result.device, StaticDevice):
                left = two_factor.backup_codes_left(user)
                messages.warning(
                    request,
                    _("You used a backup code: %(n)s left. Make new ones on your security page.")
                    % {"n": left},
                )
            return redirect(pending["next"])
        if result.wait_until is not None:
            until = timezone.localtime(result.wait_until)
            form.add_error(
                None,
                _("Too many wrong codes: the next try is possible after %(time)s.")
                % {"time": until.strftime("%H:%M:%S")},
            )
        else:
            form.add_error("code", _("That code is not right."))
            user_login_failed.send(sender=__name__, credentials=credentials, request=request)
            if getattr(request, "axes_locked_out", False):
                # AxesMiddleware answers with the lockout page; the half-done login ends here.
                request.session.pop(two_factor.PENDING_KEY, None)
    return render(request, "registration/login_code.html", {"form": form})


# --- The person's own security page ---


class DisableForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("A code from your app, or a backup code"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "off"}),
    )
    password = forms.CharField(
        label=gettext_lazy("or your password"),
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class PasswordForm(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("Your password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


def _refuse(request: HttpRequest, form: forms.Form, field: str | None, message: str) -> None:
    """A wrong password or code on the security page counts as a failed login (django-axes)."""
    form.add_error(field, message)
    user_login_failed.send(
        sender=__name__, credentials={"username": request.user.get_username()}, request=request
    )
    # The person is signed in: this page says so itself rather than AxesMiddleware's login page.
    request.axes_locked_out = False


def _allowed(request: HttpRequest) -> bool:
    return AxesProxyHandler.is_allowed(request, {"username": request.user.get_username()})


@sensitive_post_parameters("code", "password")
@never_cache
def security(request: HttpRequest) -> HttpResponse:
    """Two-factor login on or off. Off: a new secret as a QR code and as text; the first code
    from the app turns it on and shows the ten backup codes, once."""
    user = request.user
    required = two_factor.workplace(request).two_factor_required
    context: dict = {"required": required}
    device = two_factor.authenticator(user)
    if device is not None:
        context.update(
            device=device,
            backup_codes_left=two_factor.backup_codes_left(user),
            disable_form=DisableForm(),
            codes_form=PasswordForm(prefix="codes"),
        )
        return render(request, "accounts/security.html", context)

    key = request.session.get(two_factor.ENROLMENT_KEY)
    if not key:
        key = request.session[two_factor.ENROLMENT_KEY] = two_factor.new_secret()
    form = CodeForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        if two_factor.code_matches_secret(key, form.cleaned_data["code"]):
            device, codes = two_factor.enrol(user=user, key=key)
            update_session_auth_hash(request, user)  # the other sessions ended, not this one
            request.session.pop(two_factor.ENROLMENT_KEY, None)
            django_otp.login(request, device)  # this session has just shown it has the app
            messages.success(request, _("Two-factor login is on."))
            return render(request, "accounts/backup_codes.html", {"codes": codes})
        form.add_error("code", _("That code is not right. Check the time on your phone."))
    url = two_factor.config_url(user, key)
    context.update(
        form=form,
        qr=two_factor.qr_svg(url),
        secret=two_factor.secret_text(key),
    )
    return render(request, "accounts/security.html", context)


@require_POST
@sensitive_post_parameters("code", "password")
@never_cache
def disable(request: HttpRequest) -> HttpResponse:
    """Two-factor login off, with a code or the password (not where the group requires it)."""
    user = request.user
    if two_factor.workplace(request).two_factor_required:
        messages.error(request, _("Your dealer group requires two-factor login: it stays on."))
        return redirect("accounts:two_factor")
    if two_factor.authenticator(user) is None:
        return redirect("accounts:two_factor")
    form = DisableForm(request.POST)
    if form.is_valid() and _allowed(request):
        code, password = form.cleaned_data["code"], form.cleaned_data["password"]
        if password and user.check_password(password):
            ok = True
        elif code:
            ok = two_factor.verify(user=user, code=code).device is not None
        else:
            ok = False
        if ok:
            two_factor.remove_devices(user=user)
            update_session_auth_hash(request, user)
            request.session.pop(django_otp.DEVICE_ID_SESSION_KEY, None)
            messages.success(request, _("Two-factor login is off."))
            return redirect("accounts:two_factor")
        _refuse(request, form, None, _("Give a valid code or your password to turn it off."))
    elif form.is_valid():
        form.add_error(None, _("Too many failed attempts: try again later."))
    context = {
        "required": False,
        "device": two_factor.authenticator(user),
        "backup_codes_left": two_factor.backup_codes_left(user),
        "disable_form": form,
        "codes_form": PasswordForm(prefix="codes"),
    }
    return render(request, "accounts/security.html", context, status=400)


@require_POST
@sensitive_post_parameters("codes-password")
@never_cache
def backup_codes(request: HttpRequest) -> HttpResponse:
    """Ten new backup codes (the old ones stop working), shown once; asks for the password."""
    user = request.user
    if two_factor.authenticator(user) is None:
        return redirect("accounts:two_factor")
    form = PasswordForm(request.POST, prefix="codes")
    if form.is_valid() and _allowed(request):
        if user.check_password(form.cleaned_data["password"]):
            codes = two_factor.new_backup_codes(user=user)
            return render(request, "accounts/backup_codes.html", {"codes": codes})
        _refuse(request, form, "password", _("That password is not right."))
    elif form.is_valid():
        form.add_error(None, _("Too many failed attempts: try again later."))
    context = {
        "required": two_factor.workplace(request).two_factor_required,
        "device": two_factor.authenticator(user),
        "backup_codes_left": two_factor.backup_codes_left(user),
        "disable_form": DisableForm(),
        "codes_form": form,
    }
    return render(request, "accounts/security.html", context, status=400)


@require_POST
def end_other_sessions(request: HttpRequest) -> HttpResponse:
    """Log out on every other phone and computer (one left logged in somewhere, or lost)."""
    services.end_sessions(user=request.user)
    update_session_auth_hash(request, request.user)
    messages.success(request, _("You are logged out everywhere else."))
    return redirect("accounts:two_factor")
