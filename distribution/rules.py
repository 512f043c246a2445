"""Which rule a lead falls under. Every dealership has two default rules (active leads:
round-robin over all its salespeople; passive leads: the BDC queue), created the first time
they are needed, so that a dealership nobody configured still gets its leads distributed."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import override

from dealers.models import Dealership
from distribution.models import (
    Activity,
    DistributionRule,
    DistributionSettings,
    Rotation,
    Strategy,
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
