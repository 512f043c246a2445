"""Where a customer's personal data lives, and how it is erased or handed over (GDPR/AVG).

Every model of the project's apps is declared here: either with the rows and fields that hold a
customer's personal data and how each is erased (`register`), or as holding none (`holds_none`).
Each app declares its own models in its `privacy.py` (found by `leads.apps` at start-up), so that
`leads` never imports the apps above it; tests/leads/test_erasure.py fails for a model nobody
declared.

A person is every customer record of the dealership group with the same e-mail address or E.164
phone number: erasing one erases the duplicates, and the access export shows them all.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

import phonenumbers
from django.db import models, transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from core.formatting import moment
from leads.models import Customer, CustomerPhone

ERASED = "(erased)"


class How(StrEnum):
    BLANK = "blank"  # emptied: "" for text, {} or [] for JSON, b"" for bytes, None when nullable
    SCRUB = "scrub"  # the person's names, e-mail addresses and phone numbers replaced by (erased)
    FILE = "file"  # the stored file is deleted when the transaction commits, the name emptied


@dataclass(frozen=True)
class Person:
    """Every customer record of one person, and what identifies them in free text."""

    customer_ids: tuple[int, ...]
    emails: tuple[str, ...]
    phones: tuple[str, ...]
    names: tuple[str, ...]

    @property
    def tokens(self) -> tuple[str, ...]:
        """What SCRUB looks for: longer first, so that a full name goes before its parts."""
        found = {t for t in (*self.emails, *self.phones, *self.names) if len(t) >= 3}
        for phone in self.phones:
            found |= _phone_forms(phone)
        return tuple(sorted(found, key=lambda t: (-len(t), t)))


@dataclass(frozen=True)
class PersonalData:
    """One model's rows of a person, and how each field holding their data is erased."""

    model: type[models.Model]
    rows: Callable[[Person], QuerySet]
    fields: dict[str, How] = field(default_factory=dict)
    delete_rows: bool = False  # the rows go altogether (their files first, on commit)
    why: str = ""
    # Told the rows before they are erased: for copies held elsewhere (a recording at Twilio).
    before_erase: Callable[[list], None] | None = None
    # The access export's values for a row besides its fields (what a file holds).
    exported: Callable[[models.Model], dict[str, Any]] | None = None

    @property
    def label(self) -> str:
        return self.model._meta.label


REGISTRY: dict[type[models.Model], PersonalData] = {}
HOLDS_NONE: dict[type[models.Model], str] = {}


def register(
    model: type[models.Model],
    *,
    rows: Callable[[Person], QuerySet],
    fields: dict[str, How] | None = None,
    delete_rows: bool = False,
    why: str = "",
    before_erase: Callable[[list], None] | None = None,
    exported: Callable[[models.Model], dict[str, Any]] | None = None,
) -> None:
    """Declare where `model` holds a person's data. `rows` selects the person's rows."""
    REGISTRY[model] = PersonalData(
        model, rows, fields or {}, delete_rows, why, before_erase, exported
    )


def holds_none(model: type[models.Model], why: str) -> None:
    """Declare that `model` holds no customer's personal data, and why."""
    HOLDS_NONE[model] = why


def _phone_forms(phone: str) -> set[str]:
    """+31612345678 also as 0612345678 and 612345678: how people type it in notes."""
    if not phone.startswith("+") or len(phone) < 9:
        return set()
    try:
        number = phonenumbers.parse(phone, None)
    except phonenumbers.NumberParseException:
        return set()
    national = str(number.national_number)
    return {national, "0" + national}


def person_of(customer: Customer) -> Person:
    """The customer and every record of the same person in the dealership group: the same
    e-mail address (case-insensitive) or phone number. Records already erased are left out."""
    group = Customer.objects.filter(dealership__group_id=customer.dealership.group_id)
    ids = {customer.pk}
    emails = {customer.email.lower()} if customer.email else set()
    phones = set(customer.phones.values_list("number", flat=True))
    # Until nothing new (three rounds at most): a duplicate found by phone may bring an e-mail
    # address that finds another record.
    for _round in range(3):
        same = Q(pk__in=ids)
        for email in emails:  # UPPER(email) = UPPER(%s): the customer_email_upper index
            same |= Q(email__iexact=email)
        if phones:
            same |= Q(phones__number__in=phones)
        found = set(group.filter(same, erased_at__isnull=True).values_list("pk", flat=True))
        found.add(customer.pk)
        if found == ids and _round:
            break
        ids = found
        records = Customer.objects.filter(pk__in=ids)
        emails |= {e.lower() for e in records.values_list("email", flat=True) if e}
        phones |= set(
            CustomerPhone.objects.filter(customer__in=ids).values_list("number", flat=True)
        )
    names: set[str] = set()
    for first, last, full in Customer.objects.filter(pk__in=ids).values_list(
        "first_name", "last_name", "full_name"
    ):
        names |= {n.strip() for n in (first, last, full) if n and n.strip()}
    return Person(tuple(sorted(ids)), tuple(sorted(emails)), tuple(sorted(phones)), tuple(names))


def with_history(person: Person, earlier: Iterable[str]) -> Person:
    """The person with the values their record held before a correction (the 'modified'
    events' old values): a typo'd e-mail address is personal data too."""
    extra = {v for v in earlier if isinstance(v, str) and len(v.strip()) >= 3}
    emails = {v.lower() for v in extra if "@" in v}
    phones = {v for v in extra if v.startswith("+")}
    names = extra - emails - phones - {v for v in extra if v.isdigit()}
    return Person(
        person.customer_ids,
        tuple(sorted(set(person.emails) | emails)),
        tuple(sorted(set(person.phones) | phones)),
        tuple(sorted(set(person.names) | names)),
    )


def scrub_text(value: str, tokens: tuple[str, ...]) -> str:
    if not value or not tokens:
        return value
    pattern = re.compile("|".join(re.escape(t) for t in tokens), re.IGNORECASE)
    return pattern.sub(ERASED, value)


def scrub_json(value: Any, tokens: tuple[str, ...]) -> Any:
    if isinstance(value, str):
        return scrub_text(value, tokens)
    if isinstance(value, list):
        return [scrub_json(v, tokens) for v in value]
    if isinstance(value, dict):
        return {scrub_text(str(k), tokens): scrub_json(v, tokens) for k, v in value.items()}
    return value


def _blank(model_field: models.Field) -> Any:
    if isinstance(model_field, models.JSONField):
        return [] if callable(model_field.default) and model_field.default is list else {}
    if isinstance(model_field, models.BinaryField):
        return b""
    if model_field.null and not isinstance(model_field, (models.CharField, models.TextField)):
        return None
    if isinstance(model_field, (models.CharField, models.TextField)):
        return ""
    return None


def erase_rows(entry: PersonalData, person: Person) -> int:
    """Erase one model's rows of the person; returns how many rows were touched."""
    rows = list(entry.rows(person).distinct())
    if not rows:
        return 0
    if entry.before_erase is not None:
        entry.before_erase(rows)
    tokens = person.tokens
    files = []
    for row in rows:
        for name, how in entry.fields.items():
            model_field = entry.model._meta.get_field(name)
            value = getattr(row, name)
            if how is How.FILE:
                if value:
                    files.append((value.storage, value.name))
                setattr(row, name, "")
            elif how is How.SCRUB and isinstance(model_field, models.JSONField):
                setattr(row, name, scrub_json(value, tokens))
            elif how is How.SCRUB:
                setattr(row, name, scrub_text(value or "", tokens))
            else:
                setattr(row, name, _blank(model_field))
    if files:
        # Files outside the database cannot be rolled back: they go once the erasure is kept.
        transaction.on_commit(lambda: [storage.delete(name) for storage, name in files])
    base = entry.model._base_manager  # the plain manager: append-only querysets refuse update()
    if entry.delete_rows:
        base.filter(pk__in=[r.pk for r in rows]).delete()
    elif entry.fields:
        for row in rows:
            base.filter(pk=row.pk).update(**{n: getattr(row, n) for n in entry.fields})
    return len(rows)


# --- Right of access --------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, (bytes, memoryview)):
        return bytes(value).decode("utf-8", errors="replace")
    if isinstance(value, models.Model):
        return value.pk
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, (dict, list, str, int, float, bool)) or value is None:
        return value
    return str(value)


def row_data(row: models.Model) -> dict[str, Any]:
    data = {}
    for model_field in row._meta.concrete_fields:
        value = getattr(row, model_field.attname)
        if isinstance(model_field, models.FileField):
            value = getattr(row, model_field.name).name
        data[model_field.name] = _plain(value)
    return data


def person_rows(person: Person) -> Iterator[tuple[PersonalData, list[models.Model]]]:
    """Every registered model's rows of the person, the customer and their leads first."""
    first = ("leads.Customer", "leads.CustomerPhone", "leads.Lead")  # who, then the rest
    ordered = sorted(
        REGISTRY.values(),
        key=lambda e: (first.index(e.label) if e.label in first else len(first), e.label),
    )
    for entry in ordered:
        rows = list(entry.rows(person).distinct().order_by("pk"))
        if rows:
            yield entry, rows


def person_records(person: Person) -> Iterator[tuple[PersonalData, list[dict[str, Any]]]]:
    """Every registered model's rows of the person, as plain dictionaries (all their fields)."""
    for entry, rows in person_rows(person):
        extra = entry.exported or (lambda _row: {})
        yield entry, [{**row_data(r), **extra(r)} for r in rows]


def access_export(person: Person) -> dict[str, Any]:
    """Everything held about the person, machine-readable (JSON-ready)."""
    return {
        "format": "dealerlms-personal-data/1",
        "customer_ids": list(person.customer_ids),
        "records": {entry.label: rows for entry, rows in person_records(person)},
    }


def access_json(person: Person) -> str:
    return json.dumps(access_export(person), ensure_ascii=False, indent=2)


# --- The models of leads, and of the apps below it (which cannot import this module) ---------


def _declare() -> None:
    from django.contrib.admin.models import LogEntry

    from accounts.models import Absence, Membership, Team, User
    from dealers.models import DealerGroup, Dealership, OpeningHours, StockVehicle
    from leads.models import (
        ErasureRecord,
        ExportRecord,
        InboundMessage,
        InboundMessageLog,
        Lead,
        LeadEvent,
        LeadVehicle,
        Source,
        SourceLabel,
    )

    def messages(person: Person) -> QuerySet:
        ids = person.customer_ids
        linked = Q(lead__customer__in=ids) | Q(merged_into__customer__in=ids)
        # Messages that never became a lead (quarantined, not a lead) but name the person.
        unlinked = Q()
        for email in person.emails:
            unlinked |= Q(text__icontains=email) | Q(html__icontains=email)
            unlinked |= Q(sender__iexact=email) | Q(envelope_sender__iexact=email)
        query = linked
        if unlinked:
            query |= Q(unlinked, lead__isnull=True, merged_into__isnull=True)
        return InboundMessage.objects.filter(query)

    register(
        Customer,
        rows=lambda p: Customer.objects.filter(pk__in=p.customer_ids),
        fields={n: How.BLANK for n in ("first_name", "last_name", "email", "street", "city")},
        why="name, e-mail and address; the record stays as '(erased #id)' with the postal region",
    )
    register(
        CustomerPhone,
        rows=lambda p: CustomerPhone.objects.filter(customer__in=p.customer_ids),
        delete_rows=True,
        why="phone numbers",
    )
    register(
        Lead,
        rows=lambda p: Lead.all_objects.filter(customer__in=p.customer_ids),
        fields={"comments": How.BLANK, "extra": How.BLANK, "external_id": How.SCRUB},
        why="the customer's own message and what the portal sent besides",
    )
    register(
        LeadVehicle,
        rows=lambda p: LeadVehicle.objects.filter(
            Q(trade_in_of__customer__in=p.customer_ids)
            | Q(interest_of__customer__in=p.customer_ids)
        ),
        fields={"registration": How.BLANK},
        why="a registration number identifies the owner",
    )
    register(
        LeadEvent,
        rows=lambda p: LeadEvent.objects.filter(lead__customer__in=p.customer_ids),
        fields={"note": How.BLANK, "data": How.SCRUB},
        why="notes, the old and new values of corrections, message texts",
    )
    register(
        InboundMessage,
        rows=messages,
        fields={
            "raw": How.BLANK,
            "raw_file": How.FILE,  # a large message's file (leads.inbound_files)
            "text": How.BLANK,
            "html": How.BLANK,
            "parsed": How.BLANK,
            "attachments": How.BLANK,
            "sender": How.BLANK,
            "envelope_sender": How.BLANK,
            "subject": How.BLANK,
            "message_id": How.BLANK,
            "failure_reason": How.SCRUB,
        },
        why="the message as it arrived, with its envelope",
        # The message as it arrived, wherever it is kept (in the row, or a large one's file).
        exported=lambda message: {"raw": _plain(message.raw_bytes())},
    )
    register(
        InboundMessageLog,
        rows=lambda p: InboundMessageLog.objects.filter(message__in=messages(p)),
        fields={"note": How.SCRUB},
        why="notes on the message's handling may quote it",
    )
    register(
        ExportRecord,
        rows=lambda p: ExportRecord.objects.filter(
            _any_contains("query", (*p.emails, *p.phones, *p.names))
        ),
        fields={"query": How.SCRUB},
        why="an export's filter may search for the person by name",
    )
    register(
        LogEntry,
        rows=lambda p: LogEntry.objects.filter(
            content_type__app_label="leads",
            content_type__model="customer",
            object_id__in=[str(i) for i in p.customer_ids],
        ),
        fields={"object_repr": How.SCRUB, "change_message": How.SCRUB},
        why="the admin's history names the customer it changed",
    )
    holds_none(ErasureRecord, "record numbers and counts only, by design")
    holds_none(Source, "the dealership's lead sources")
    holds_none(SourceLabel, "labels of a source's messages")
    holds_none(User, "staff, not customers")
    holds_none(Membership, "staff roles")
    holds_none(Team, "staff teams")
    holds_none(Absence, "staff absences")
    holds_none(DealerGroup, "the dealer group")
    holds_none(Dealership, "the dealership")
    holds_none(OpeningHours, "the dealership's hours")
    holds_none(StockVehicle, "the dealership's stock")


def _any_contains(name: str, values: Iterable[str]) -> Q:
    """Rows whose `name` contains any of the values; none when there are no values."""
    query = Q(pk__in=[])
    for value in values:
        if len(value) >= 3:
            query |= Q(**{f"{name}__icontains": value})
    return query


_declare()


@dataclass
class Section:
    """One model's records of the person, for the readable (printable) page."""

    title: str
    records: list[list[tuple[str, Any]]]


def readable_records(person: Person, dealership: Any = None) -> list[Section]:
    """The same records for a person to read: labels in the reader's language, choices by
    their names, times in the dealership's zone, empty fields left out."""
    sections = []
    for entry, rows in person_rows(person):
        fields = entry.model._meta.concrete_fields
        sections.append(
            Section(
                str(entry.model._meta.verbose_name_plural),
                [
                    [
                        (str(f.verbose_name), text)
                        for f in fields
                        if (text := _readable(row, f, dealership))
                    ]
                    for row in rows
                ],
            )
        )
    return sections


def _readable(row: models.Model, model_field: models.Field, dealership: Any) -> str:
    value = getattr(row, model_field.attname)
    if value in (None, "", b"", [], {}):
        return ""
    if isinstance(model_field, models.ForeignKey):
        return f"#{value}"
    if isinstance(model_field, models.FileField):
        return getattr(row, model_field.name).name
    if model_field.choices:
        return str(getattr(row, f"get_{model_field.name}_display")())
    if isinstance(value, datetime):
        return moment(value, dealership)
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, (bytes, memoryview)):
        return bytes(value).decode("utf-8", errors="replace")
    return _shown(value)


def _shown(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, indent=1)
    return str(value)
