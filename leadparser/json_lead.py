"""JSON leads: our own normalized shape, the looser shapes web forms and APIs post, and the
lead-ad and form-tool shapes of :mod:`leadparser.json_shapes` (Facebook, Google Ads, HubSpot,
Typeform).

Which field a key means, first match wins: the dealership's own mapping (``extra_labels``, by
any name the payload gives the field), what the shape itself states (a Google ``column_id``, a
Typeform answer of type ``email``), the API key names below, the label dictionary (nl, fr, de,
es, en), the same read as a question ("Wat is je naam?"), and a question about the car the
customer wants or trades in. Anything else is kept in ``extra`` and listed by
:func:`unknown_fields` for the mapping form of the quarantine page.
"""

from __future__ import annotations

import json
import re

from leadparser.builder import LeadBuilder
from leadparser.errors import MalformedInput, NoLeadFound, ParseError
from leadparser.json_shapes import Shaped, detect, question_keys, text_of
from leadparser.label_dictionary import label_key, lookup
from leadparser.message import Message
from leadparser.mime import bare_kind, decode_bytes, read_bare, read_email, to_read
from leadparser.phones import KINDS

_WRAPPERS = ("lead", "data", "payload", "prospect", "result", "body")
# A one-key object around the lead under any other name ("anfrage", "submission") is a wrapper
# too, unless the key names a section of the lead itself.
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
    "created time": "requested_at", "submitted at": "requested_at", "submit time": "requested_at",
    "mobilephone": "customer.mobile", "mobile phone number": "customer.mobile",
    "user phone": "customer.phone", "user email": "customer.email", "zip": "customer.postal_code",
    "e mail adres": "customer.email", "telefon": "customer.phone", "tel": "customer.phone",
    "handynummer": "customer.mobile", "portable": "customer.mobile", "mobiel": "customer.mobile",
    "vehicle model": "vehicle.model", "car model": "vehicle.model", "brand": "vehicle.make",
    "vehicle make": "vehicle.make", "car make": "vehicle.make", "vehicle condition":
    "vehicle.condition", "leadgen id": "external_id",
}  # fmt: skip
# Ids of the ad around a lead: kept in extra, never taken for the lead's own id.
_AD_KEYS = {
    "ad id", "ad name", "adset id", "adset name", "campaign id", "campaign name", "form id",
    "form name", "page id", "page name", "adgroup id", "creative id", "gcl id", "gclid",
    "is organic", "platform", "api version",
}  # fmt: skip
# Secrets and plumbing that must not reach the lead a salesperson reads.
_DROP = {"google key", "hs context", "hutk", "format"}
_QUESTION_WORDS = {
    "vehicle": ("model", "modellen", "auto", "wagen", "car", "vehicle", "voertuig", "modele",
                "voiture", "vehicule", "modell", "fahrzeug"),
    "interest": ("interesseert", "interesse", "interested", "interest", "zoekt", "zoek",
                 "cherchez", "interessiert", "interessieren", "suchen",
                 "wenst", "gewenst", "looking", "want", "souhaitez", "wunsch"),
    "trade_in": ("inruil", "inruilen", "reprise", "trade", "inzahlungnahme", "huidige",
                 "current", "actuelle", "aktuelles", "eintauschen"),
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


def _question(key: str) -> str | None:
    """A custom question about the car: 'welk model interesseert u' -> vehicle.model."""
    words = set(label_key(key).replace("?", " ").split())
    if len(words) < 3:
        return None

    def has(group: str) -> bool:  # whole words: "want" is no part of "wanneer"
        return not words.isdisjoint(_QUESTION_WORDS[group])

    if has("vehicle") and has("trade_in"):
        return "trade_in.description"
    if has("vehicle") and has("interest"):
        return "vehicle.model"
    return None


class _Reader:
    def __init__(self, builder: LeadBuilder, extra_labels: dict[str, str]) -> None:
        self.builder = builder
        self.extra_labels = extra_labels
        self.custom = {label_key(k): v for k, v in extra_labels.items()}
        self.unknown: list[tuple[str, str, str]] = []  # name as sent, example, other names

    def mapped(self, *names: str) -> str | None:
        """The dealership's own mapping for any of a field's names, as sent or as spaced."""
        for name in names:
            for form in (label_key(name), label_key(_key(name))):
                if form in self.custom:
                    return self.custom[form]
        return None

    def canonical(self, key: str, section: str | None, name: str = "") -> str | None:
        found = self.mapped(name or key)
        if found:
            return found
        if key in _AD_KEYS or key in _DROP:
            return None
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
            if key in _DROP:
                continue
            target = _SECTIONS.get(key)
            if target and section is None:
                if isinstance(value, dict):
                    self.read(value, target, depth + 1)
                elif target != "customer" and _scalar(value):
                    self.builder.set(f"{target}.description", _scalar(value))
                continue
            canonical = self.canonical(key, section, str(name))
            if (
                section in ("vehicle", "trade_in")
                and canonical
                and canonical.startswith("vehicle.")
            ):
                canonical = section + canonical[len("vehicle") :]
            self.value(canonical, key, value, section, depth, name=str(name))

    def value(
        self,
        canonical: str | None,
        key: str,
        value: object,
        section: str | None,
        depth: int,
        *,
        name: str = "",
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
            if key not in _AD_KEYS:
                self.unknown.append((name or key, _scalar(value) or "", ""))

    def shaped(self, shaped: Shaped) -> None:
        """A lead-ad or form-tool payload: its answers by their names, then the lead's facts."""
        for field in shaped.fields:
            text = text_of(field.value)
            if text is None or not text.strip():
                continue
            canonical = self.mapped(*field.names) or field.hint
            for name in field.names if canonical is None else ():
                key = _key(name)
                if key in _DROP:
                    canonical = "-"
                    break
                canonical = (
                    _JSON_KEYS.get(key)
                    or lookup(key)
                    or _question(key)
                    or next(filter(None, map(lookup, question_keys(key))), None)
                )
                if canonical:
                    break
            if canonical == "-":
                continue
            if canonical in ("customer.phone", "customer.mobile", "customer.fax"):
                self.phones(field.value, canonical, _key(field.names[0]).replace(" ", "_"))
            elif canonical:
                self.builder.set(canonical, text, label=_key(field.names[0]).replace(" ", "_"))
            else:
                self.builder.add_extra(_key(field.names[0]).replace(" ", "_"), text)
                self.unknown.append((field.names[0], text, " / ".join(field.names[1:])))
        for canonical, value in shaped.meta.items():
            if text_of(value):
                self.builder.set(canonical, text_of(value))
        for name, value in shaped.extra.items():
            self.builder.add_extra(name, text_of(value))

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
            key = _key(name)
            if (key in _WRAPPERS or key not in _SECTIONS) and isinstance(inner, dict | list):
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


def _read(message: Message) -> tuple[LeadBuilder | None, list[tuple[str, str, str]]]:
    """The first JSON document of the message read into a builder, and its unknown keys."""
    first_error: MalformedInput | None = None
    for text in _candidates(message):
        try:
            data = load(text)
        except MalformedInput as exc:
            first_error = first_error or exc
            continue
        builder = LeadBuilder("json", region=message.region)
        builder.set_email_date(message.date)
        reader = _Reader(builder, message.extra_labels)
        shaped, count = detect(data)
        if shaped is not None:
            if shaped.empty_reason and message.bare_kind == "json":
                raise NoLeadFound(f"no lead found: {shaped.empty_reason}")
            if count > 1:
                builder.add_extra("leads_in_document", f"{count} items, the first was read")
            reader.shaped(shaped)
            return builder, reader.unknown
        obj = _unwrap(data, builder)
        if obj is None:
            continue
        reader.read(obj)
        return builder, reader.unknown
    if first_error is not None:
        raise first_error
    return None, []


def parse(message: Message) -> LeadBuilder | None:
    if message.bare_kind not in (None, "json"):
        return None
    return _read(message)[0]


def unknown_fields(
    raw: bytes,
    *,
    extra_labels: dict[str, str] | None = None,
    limit: int = 40,
    max_bytes: int = 10_000_000,
) -> list[dict[str, str]]:
    """The keys of a JSON message (bare, or in an e-mail) that no mapping or dictionary knows:
    ``{"key": name to map, "example": its value, "also": the field's other names (a question's
    title)}``, what an admin maps on the quarantine page. Empty when it holds no readable JSON."""
    message = Message(extra_labels=dict(extra_labels or {}))
    try:
        raw, _notes = to_read(raw, max_bytes)  # a large e-mail without its brochure
        kind = bare_kind(raw)
        if kind is None:
            read_email(raw, message)
        elif kind == "json":
            read_bare(raw, kind, message)
        else:
            return []
        _builder, unknown = _read(message)
    except (ParseError, RecursionError, ValueError):
        return []
    seen: dict[str, dict[str, str]] = {}
    for name, example, also in unknown:
        seen.setdefault(name, {"key": name, "example": example[:200], "also": also[:200]})
    return list(seen.values())[:limit]
