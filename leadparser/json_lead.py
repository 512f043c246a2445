"""JSON leads: our own normalized shape, and the looser shapes web forms and APIs post."""

from __future__ import annotations

import json
import re

from leadparser.builder import LeadBuilder
from leadparser.errors import MalformedInput
from leadparser.label_dictionary import lookup
from leadparser.message import Message
from leadparser.mime import decode_bytes
from leadparser.phones import KINDS

_WRAPPERS = ("lead", "data", "payload", "prospect", "result", "body")
_SECTIONS = {
    "customer": "customer", "contact": "customer", "client": "customer", "klant": "customer",
    "kunde": "customer", "cliente": "customer", "person": "customer", "lead contact": "customer",
    "vehicle": "vehicle", "car": "vehicle", "auto": "vehicle", "voertuig": "vehicle",
    "vehicule": "vehicle", "fahrzeug": "vehicle", "vehiculo": "vehicle",
    "trade in": "trade_in", "tradein": "trade_in", "inruil": "trade_in", "reprise": "trade_in",
    "inzahlungnahme": "trade_in", "trade in vehicle": "trade_in",
}  # fmt: skip
# Field names of APIs that the label dictionary (written for people) does not know.
_JSON_KEYS = {
    "type": "lead_type", "provider": "source", "id": "external_id", "external id": "external_id",
    "lead id": "external_id", "requested at": "requested_at", "created at": "requested_at",
    "created": "requested_at", "timestamp": "requested_at", "date": "requested_at",
    "submitted": "requested_at", "appointment at": "appointment_at", "mileage km": "vehicle.mileage",
    "plate": "vehicle.registration", "licence plate": "vehicle.registration",
    "description": "vehicle.description", "title": "vehicle.description",
    "full name": "customer.full_name", "phone number": "customer.phone", "phones": "customer.phone",
    "mobile phone": "customer.mobile", "postal code": "customer.postal_code",
    "house number": "customer.house_number", "stock number": "vehicle.stock_number",
    "message": "comments", "comments": "comments", "remarks": "comments",
}  # fmt: skip
_VEHICLE_ONLY = {"name": "description", "type": "description", "price": "price"}
_MAX_DEPTH = 6  # our shapes nest three levels; deeper is not a lead


def _key(name: str) -> str:
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", str(name))
    return " ".join(re.sub(r"[_\-.]", " ", spaced).lower().split())


def _scalar(value: object) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float | str):
        return str(value)
    return None


class _Reader:
    def __init__(self, builder: LeadBuilder, extra_labels: dict[str, str]) -> None:
        self.builder = builder
        self.extra_labels = extra_labels

    def canonical(self, key: str, section: str | None) -> str | None:
        if section in ("vehicle", "trade_in") and key in _VEHICLE_ONLY:
            return f"vehicle.{_VEHICLE_ONLY[key]}"
        found = _JSON_KEYS.get(key) or lookup(key, self.extra_labels)
        if found is None and section in ("vehicle", "trade_in"):
            found = lookup(f"vehicle {key}", self.extra_labels)
        return found

    def read(self, obj: dict, section: str | None = None, depth: int = 0) -> None:
        if depth > _MAX_DEPTH:
            return
        for name, value in obj.items():
            key = _key(name)
            if key == "extra" and isinstance(value, dict):
                for extra_key, extra_value in value.items():
                    self.builder.add_extra(str(extra_key), _scalar(extra_value))
                continue
            if key == "format":
                continue
            target = _SECTIONS.get(key)
            if target and section is None:
                if isinstance(value, dict):
                    self.read(value, target, depth + 1)
                elif target != "customer" and _scalar(value):
                    self.builder.set(f"{target}.description", _scalar(value))
                continue
            canonical = self.canonical(key, section)
            if (
                section in ("vehicle", "trade_in")
                and canonical
                and canonical.startswith("vehicle.")
            ):
                canonical = section + canonical[len("vehicle") :]
            self.value(canonical, key, value, section, depth)

    def value(
        self, canonical: str | None, key: str, value: object, section: str | None, depth: int
    ) -> None:
        if canonical in ("customer.phone", "customer.mobile", "customer.fax"):
            self.phones(value, canonical, key.replace(" ", "_"))
        elif canonical and canonical.endswith(".price") and isinstance(value, dict):
            self.builder.set(canonical, _scalar(value.get("amount")))
            self.builder.set(
                canonical.replace(".price", ".currency"), _scalar(value.get("currency"))
            )
        elif canonical == "customer.street" and isinstance(value, dict):
            self.read(value, "customer", depth + 1)
        elif canonical and _scalar(value) is not None:
            self.builder.set(canonical, _scalar(value), label=key)
        elif canonical is None and _scalar(value) is not None:
            prefix = f"{section}_" if section in ("vehicle", "trade_in") else ""
            self.builder.add_extra(f"{prefix}{key.replace(' ', '_')}", _scalar(value))

    def phones(self, value: object, canonical: str, label: str) -> None:
        items = value if isinstance(value, list) else [value]
        default_kind = {"customer.mobile": "mobile", "customer.fax": "fax"}.get(canonical)
        for item in items[:20]:
            if isinstance(item, dict):
                number = _scalar(item.get("number") or item.get("phone") or item.get("value"))
                kind = _scalar(item.get("kind") or item.get("type"))
                kind = {"cellphone": "mobile", "cell": "mobile", "fixed": "landline"}.get(
                    kind or "", kind
                )
                certain = kind in KINDS and kind != "unknown"
            else:
                number, kind, certain = _scalar(item), default_kind, canonical == "customer.fax"
            if number:
                self.builder.add_phone(
                    number, kind=kind or default_kind, certain=certain, label=label
                )


def _unwrap(data: object, builder: LeadBuilder) -> dict | None:
    for _ in range(3):
        if isinstance(data, list):
            dicts = [d for d in data if isinstance(d, dict)]
            if len(data) > 1:
                builder.add_extra("leads_in_document", f"{len(data)} items, the first was read")
            data = dicts[0] if dicts else None
        if isinstance(data, dict) and len(data) == 1:
            ((name, inner),) = data.items()
            if _key(name) in _WRAPPERS and isinstance(inner, dict | list):
                data = inner
                continue
        break
    return data if isinstance(data, dict) else None


def load(text: str) -> object:
    try:
        return json.loads(text)
    except RecursionError as exc:
        raise MalformedInput("JSON nested too deeply") from exc
    except json.JSONDecodeError as exc:
        raise MalformedInput(f"malformed JSON: {exc.msg}", line=exc.lineno) from exc
    except ValueError as exc:  # e.g. an integer with more digits than Python will convert
        raise MalformedInput(f"malformed JSON: {exc}") from exc


def _candidates(message: Message) -> list[str]:
    found = [t for t in message.texts if t.lstrip().startswith(("{", "["))]
    for attachment in message.attachments:
        name = (attachment.filename or "").lower()
        if name.endswith(".json") or attachment.content_type in ("application/json", "text/json"):
            found.append(decode_bytes(attachment.content, None, message.notes, name or "JSON"))
    return found


def parse(message: Message) -> LeadBuilder | None:
    if message.bare_kind not in (None, "json"):
        return None
    first_error: MalformedInput | None = None
    for text in _candidates(message):
        try:
            data = load(text)
        except MalformedInput as exc:
            first_error = first_error or exc
            continue
        builder = LeadBuilder("json", region=message.region)
        builder.set_email_date(message.date)
        obj = _unwrap(data, builder)
        if obj is None:
            continue
        _Reader(builder, message.extra_labels).read(obj)
        return builder
    if first_error is not None:
        raise first_error
    return None
