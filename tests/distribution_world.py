"""Who may use each distribution URL, in the shape of the project's role walk: url name →
(roles, arguments built from a world of {lead, owner, dealership, …}). The world's lead is
assigned to the owner, so "take" and the BDC actions refuse politely (a redirect with a
message) those whose role allows the page."""

from datetime import timedelta

from django.utils import timezone

from accounts.models import Absence
from distribution.models import DistributionRule

MANAGERS = {"manager", "admin"}
SELLERS = {"owner", "colleague"}
BDC = {"bdc"} | MANAGERS


def _rule(world: dict) -> DistributionRule:
    """A rule of its own for each role's try, so that one role's delete leaves the next one."""
    return DistributionRule.objects.create(dealership=world["dealership"], name="Walk")


def _absence(world: dict) -> Absence:
    now = timezone.now()
    return Absence.objects.create(
        user=world["owner"], starts_at=now, ends_at=now + timedelta(days=1)
    )


DISTRIBUTION_ACCESS = {
    # A manager of another dealership sees an empty queue of their own.
    "distribution:queue": (SELLERS | MANAGERS | {"stranger"}, None),
    "distribution:reassign": (MANAGERS | {"stranger"}, None),
    "distribution:take": (SELLERS, lambda w: [w["lead"].pk]),
    "distribution:bdc": (BDC | {"stranger"}, None),
    "distribution:bdc_take": (BDC, lambda w: [w["lead"].pk]),
    "distribution:bdc_handoff": (BDC, lambda w: [w["lead"].pk]),
    "distribution:fairness": (MANAGERS | {"stranger"}, None),
    "settings:distribution": (MANAGERS | {"stranger"}, None),
    "settings:distribution_rules": (MANAGERS, lambda w: [w["dealership"].pk]),
    "settings:distribution_rule_new": (MANAGERS, lambda w: [w["dealership"].pk]),
    "settings:distribution_rule": (MANAGERS, lambda w: [_rule(w).pk]),
    "settings:distribution_rule_delete": (MANAGERS, lambda w: [_rule(w).pk]),
    "settings:distribution_rule_move": (MANAGERS, lambda w: [_rule(w).pk]),
    "settings:absences": (MANAGERS | {"stranger"}, None),
    "settings:absence_delete": (MANAGERS, lambda w: [_absence(w).pk]),
}
