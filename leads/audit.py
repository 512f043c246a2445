"""The audit log of CSV exports: who took which list, when, with which filter, how many rows."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import MANAGING_ROLES, dealerships_for
from leads.models import ExportRecord


def record_export(*, user: User, export: str, query: QueryDict, rows: int) -> ExportRecord:
    """One entry per export, for the dealerships the exporter works for (their managers see it)."""
    kept = query.copy()
    kept.pop("format", None)
    record = ExportRecord.objects.create(
        user=user, export=export, query=kept.urlencode(), rows=rows
    )
    record.dealerships.set(dealerships_for(user))
    return record


def exports_seen_by(user: User) -> QuerySet[ExportRecord]:
    managed = dealerships_for(user, MANAGING_ROLES)
    return (
        ExportRecord.objects.filter(dealerships__in=managed)
        .distinct()
        .select_related("user")
        .order_by("-at", "-id")
    )


def export_name(key: str) -> str:
    """What an export key means, in the reader's language."""
    if key == "leads":
        return _("Lead list")
    if key.startswith("dashboard:"):
        return _("Dashboard table “%(table)s”") % {"table": key.removeprefix("dashboard:")}
    return key
