"""A dealership's rules: read in the order they are tried, and edited in the browser. Every
dealership has two default rules (active leads: round-robin over all its salespeople; passive
leads: the BDC queue), created the first time they are needed, so that a dealership nobody
configured still gets its leads distributed. Which rule a lead falls under is the routing
context's answer (distribution.context)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import override

from accounts.models import User
from dealers.models import Dealership
from distribution.errors import DistributionError
from distribution.models import (
    Activity,
    DistributionRule,
    DistributionSettings,
    Rotation,
    Strategy,
    TeamMember,
)


def ensure_defaults(dealership: Dealership) -> list[DistributionRule]:
    """The dealership's two default rules, created when missing."""
    defaults = list(DistributionRule.objects.filter(dealership=dealership, is_default=True))
    have = {rule.activity for rule in defaults}
    with override(dealership.language):
        wanted = {
            Activity.ACTIVE: {
                "name": _("Default: active leads"),
                "strategy": Strategy.ROUND_ROBIN,
                # Nobody free (night, everyone away): wait, and retry every minute.
                "fallback": Strategy.ROUND_ROBIN,
            },
            Activity.PASSIVE: {
                "name": _("Default: passive leads"),
                "strategy": Strategy.BDC_QUEUE,
                "fallback": Strategy.BDC_QUEUE,
                "contact_minutes": 60 * 24,
                "deadline_clock": "opening_hours",
            },
        }
    for activity, values in wanted.items():
        if activity in have:
            continue
        try:
            with transaction.atomic():
                rule = DistributionRule.objects.create(
                    dealership=dealership,
                    is_default=True,
                    activity=activity,
                    position=10_000,
                    **values,
                )
                Rotation.objects.create(rule=rule)
        except IntegrityError:  # another worker created it first
            continue
        defaults.append(rule)
    return defaults


def rules_of(dealership: Dealership) -> list[DistributionRule]:
    """The dealership's rules in the order they are tried, the defaults last."""
    rules = list(
        DistributionRule.objects.filter(dealership=dealership).order_by(
            "is_default", "position", "pk"
        )
    )
    if sum(rule.is_default for rule in rules) < 2:
        ensure_defaults(dealership)
        return rules_of(dealership)
    for rule in rules:
        rule.dealership = dealership
    return rules


def settings_of(dealership: Dealership) -> DistributionSettings:
    found = DistributionSettings.objects.filter(dealership=dealership).first()
    return found or DistributionSettings(dealership=dealership)


def next_position(dealership: Dealership) -> int:
    last = (
        DistributionRule.objects.filter(dealership=dealership, is_default=False)
        .order_by("-position")
        .values_list("position", flat=True)
        .first()
    )
    return (last or 0) + 10


@transaction.atomic
def save_rule(
    *, rule: DistributionRule, team: list[tuple[User, int, int | None]]
) -> DistributionRule:
    """Store a rule and its team (person, weight, cap). An empty team means every salesperson."""
    if rule.pk is None and not rule.is_default:
        rule.position = next_position(rule.dealership)
    rule.full_clean()
    rule.save()
    Rotation.objects.get_or_create(rule=rule)
    keep = {user.pk for user, _w, _c in team}
    rule.members.exclude(user_id__in=keep).delete()
    for user, weight, cap in team:
        TeamMember.objects.update_or_create(
            rule=rule, user=user, defaults={"weight": weight, "max_open_leads": cap}
        )
    return rule


def delete_rule(*, rule: DistributionRule) -> None:
    if rule.is_default:
        raise DistributionError(_("The default rules cannot be deleted."))
    rule.delete()


@transaction.atomic
def move_rule(*, rule: DistributionRule, up: bool) -> None:
    """Swap the rule with its neighbour; positions are renumbered 10, 20, … on the way."""
    if rule.is_default:
        return
    rules = list(
        DistributionRule.objects.select_for_update()
        .filter(dealership_id=rule.dealership_id, is_default=False)
        .order_by("position", "pk")
    )
    index = next(i for i, r in enumerate(rules) if r.pk == rule.pk)
    other = index - 1 if up else index + 1
    if 0 <= other < len(rules):
        rules[index], rules[other] = rules[other], rules[index]
    for i, r in enumerate(rules, start=1):
        if r.position != i * 10:
            r.position = i * 10
            r.save(update_fields=["position"])
