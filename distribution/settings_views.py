"""Distribution in the in-app settings area: a dealership's rules (order, create, edit,
delete), each rule's team with weights and caps, the dealership's distribution settings, and
the absences managers record."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Absence, Role, User
from accounts.permissions import manager_required
from distribution import selectors
from distribution.errors import DistributionError
from distribution.forms import AbsenceForm, RuleForm, SettingsForm, TeamForm
from distribution.models import DistributionRule, DistributionSettings
from distribution.rules import delete_rule, move_rule, rules_of, save_rule


@manager_required
def rules_index(request: HttpRequest) -> HttpResponse:
    first = selectors.managed(request.user).first()
    if first is None:
        return render(request, "distribution/rules.html", {"dealerships": []})
    return redirect("settings:distribution_rules", pk=first.pk)


@manager_required
def rules(request: HttpRequest, pk: int) -> HttpResponse:
    """The dealership's rules in the order they are tried, and its distribution settings."""
    dealerships = list(selectors.managed(request.user))
    dealership = get_object_or_404(selectors.managed(request.user), pk=pk)
    current = DistributionSettings.objects.filter(dealership=dealership).first()
    form = SettingsForm(
        request.POST or None, instance=current or DistributionSettings(dealership=dealership)
    )
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, _("Saved."))
            return redirect("settings:distribution_rules", pk=dealership.pk)
        messages.error(request, _("Please correct the errors below."))
    all_rules = rules_of(dealership)
    prefetch_related_objects(all_rules, "members__user", "source")
    return render(
        request,
        "distribution/rules.html",
        {
            "dealership": dealership,
            "dealerships": dealerships,
            "rules": [r for r in all_rules if not r.is_default],
            "defaults": [r for r in all_rules if r.is_default],
            "form": form,
        },
        status=400 if request.method == "POST" else 200,
    )


def _sellers(dealership) -> list[User]:
    return list(
        User.objects.filter(
            is_active=True, memberships__dealership=dealership, memberships__role=Role.SALESPERSON
        )
    )


def _rule_form(request: HttpRequest, dealership, rule: DistributionRule | None) -> HttpResponse:
    rule = rule or DistributionRule(dealership=dealership)
    data = request.POST if request.method == "POST" else None
    form = RuleForm(data, instance=rule, dealership=dealership)
    members = {m.user_id: m for m in rule.members.all()} if rule.pk else {}
    team = TeamForm(data, sellers=_sellers(dealership), members=members)
    if data is not None:
        if form.is_valid() and team.is_valid():
            save_rule(rule=form.save(commit=False), team=team.team())
            messages.success(request, _("Rule saved."))
            return redirect("settings:distribution_rules", pk=dealership.pk)
        messages.error(request, _("Please correct the errors below."))
    return render(
        request,
        "distribution/rule_form.html",
        {"form": form, "team": team, "rule": rule, "dealership": dealership},
        status=400 if data is not None else 200,
    )


@manager_required
def rule_new(request: HttpRequest, pk: int) -> HttpResponse:
    dealership = get_object_or_404(selectors.managed(request.user), pk=pk)
    return _rule_form(request, dealership, None)


def _managed_rule(request: HttpRequest, pk: int) -> DistributionRule:
    return get_object_or_404(
        DistributionRule.objects.filter(dealership__in=selectors.managed(request.user)), pk=pk
    )


@manager_required
def rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    rule = _managed_rule(request, pk)
    return _rule_form(request, rule.dealership, rule)


@manager_required
@require_POST
def rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    rule = _managed_rule(request, pk)
    try:
        delete_rule(rule=rule)
    except DistributionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Rule deleted."))
    return redirect("settings:distribution_rules", pk=rule.dealership_id)


@manager_required
@require_POST
def rule_move(request: HttpRequest, pk: int) -> HttpResponse:
    rule = _managed_rule(request, pk)
    move_rule(rule=rule, up=request.POST.get("direction") != "down")
    return redirect("settings:distribution_rules", pk=rule.dealership_id)


def _people(request: HttpRequest):
    return User.objects.filter(
        is_active=True,
        memberships__dealership__in=selectors.managed(request.user),
        memberships__role__in=[Role.SALESPERSON, Role.BDC_AGENT, Role.MANAGER],
    ).distinct()


@manager_required
def absences(request: HttpRequest) -> HttpResponse:
    """Who is away now, and the absences a manager records (holiday, sickness, training):
    distribution skips an absent person."""
    people = _people(request)
    form = AbsenceForm(request.POST or None, people=people)
    if request.method == "POST":
        if form.is_valid():
            absence = form.save(commit=False)
            absence.created_by = request.user
            absence.save()
            messages.success(request, _("Absence recorded."))
            return redirect("settings:absences")
        messages.error(request, _("Please correct the errors below."))
    now = timezone.now()
    listed = (
        Absence.objects.filter(user__in=people, ends_at__gt=now)
        .select_related("user")
        .order_by("starts_at")
    )
    return render(
        request,
        "distribution/absences.html",
        {
            "form": form,
            "absences": listed,
            "presence": [
                (d, selectors.team_presence(d, now)) for d in selectors.managed(request.user)
            ],
        },
        status=400 if request.method == "POST" else 200,
    )


@manager_required
@require_POST
def absence_delete(request: HttpRequest, pk: int) -> HttpResponse:
    absence = get_object_or_404(Absence.objects.filter(user__in=_people(request)), pk=pk)
    absence.delete()
    messages.success(request, _("Absence removed."))
    return redirect("settings:absences")
