"""Lead-ad and form-tool JSON: Facebook Lead Ads, Google Ads lead forms, HubSpot, Typeform.

Each of these names its fields in a list (``field_data``, ``user_column_data``, ``fields``,
``answers``) instead of as object keys, and carries ids and times about the ad around them.
:func:`detect` recognises a shape and turns it into :class:`Shaped`: the form's fields, each with
every name the payload gives it (a Typeform ``ref`` and its question title, a Google
``column_id`` and ``column_name``), and the facts about the lead itself (source, id, time).
Which canonical field a name means is decided in :mod:`leadparser.json_lead`, so that a
dealership's own mapping (``extra_labels``) applies to all of them alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

# Google Ads lead form column ids (developers.google.com/google-ads/webhook/docs/technical-details)
GOOGLE_COLUMNS: dict[str, str] = {
    "FULL_NAME": "customer.full_name", "FIRST_NAME": "customer.first_name",
    "LAST_NAME": "customer.last_name", "EMAIL": "customer.email", "WORK_EMAIL": "customer.email",
    "PHONE_NUMBER": "customer.phone", "WORK_PHONE": "customer.phone",
    "POSTAL_CODE": "customer.postal_code", "STREET_ADDRESS": "customer.street",
    "CITY": "customer.city", "COUNTRY": "customer.country", "COMPANY_NAME": "customer.company",
    "VEHICLE_MODEL": "vehicle.model", "VEHICLE_CONDITION": "vehicle.condition",
    "PREFERRED_CONTACT_METHOD": "customer.preferred_contact",
}  # fmt: skip
# Typeform answer types that say what the answer is, whatever the question's wording.
TYPEFORM_TYPES = {"email": "customer.email", "phone_number": "customer.phone"}

# Facts about the ad, not about the customer: kept in extra under these names.
FACEBOOK_META = (
    "ad_id", "ad_name", "adset_id", "adset_name", "campaign_id", "campaign_name", "form_id",
    "form_name", "page_id", "page_name", "is_organic", "platform", "partner_name",
    "retailer_item_id", "inbox_url",
)  # fmt: skip
GOOGLE_META = ("form_id", "campaign_id", "adgroup_id", "creative_id", "gcl_id", "api_version")
_SOURCE_NAMES = {"ig": "Instagram Lead Ads", "instagram": "Instagram Lead Ads"}


@dataclass
class Field:
    """One answer of a form: every name the payload gives it, most specific first."""

    names: tuple[str, ...]
    value: object
    hint: str | None = None  # the canonical field the shape itself states (a Google column id)


@dataclass
class Shaped:
    shape: str
    fields: list[Field] = field(default_factory=list)
    meta: dict[str, object] = field(default_factory=dict)  # canonical key -> value
    extra: dict[str, object] = field(default_factory=dict)
    is_test: bool = False
    empty_reason: str | None = None  # a recognised notification that carries no lead data


def text_of(value: object) -> str | None:
    """A form value as one line of text: lists joined, booleans as yes/no, objects skipped."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return value
    if isinstance(value, list):  # one level: a list of lists is no form value
        parts = [text_of(v) for v in value[:50] if not isinstance(v, list | dict)]
        return ", ".join(p for p in parts if p) or None
    return None


def _meta(data: dict, names: tuple[str, ...], extra: dict) -> None:
    for name in names:
        value = text_of(data.get(name))
        if value not in (None, ""):
            extra[name] = value


# --- Facebook Lead Ads -------------------------------------------------------------------------


def _facebook_fields(field_data: object) -> list[Field] | None:
    if isinstance(field_data, dict):  # parallel lists, as some integrations flatten line items
        names, values = field_data.get("name"), field_data.get("values")
        if isinstance(names, list) and isinstance(values, list) and len(names) == len(values):
            field_data = [{"name": n, "values": v} for n, v in zip(names, values, strict=True)]
    if not isinstance(field_data, list):
        return None
    found = []
    for item in field_data[:200]:
        if isinstance(item, dict) and isinstance(item.get("name"), str):
            value = item.get("values", item.get("value"))
            found.append(Field((item["name"],), value))
    return found


def _facebook(data: dict) -> Shaped | None:
    fields = _facebook_fields(data.get("field_data"))
    if fields is None:
        flat_markers = ("ad_id", "form_id", "leadgen_id", "adgroup_id", "page_id")
        if "created_time" not in data or not any(k in data for k in flat_markers):
            return None
        # A Zapier/Make copy: the form's fields flattened beside the lead's own keys.
        skip = {*FACEBOOK_META, "id", "leadgen_id", "created_time", "custom_disclaimer_responses"}
        fields = [Field((str(k),), v) for k, v in data.items() if k not in skip]
    shaped = Shaped("facebook", fields)
    platform = str(data.get("platform") or "").lower()
    shaped.meta["source"] = _SOURCE_NAMES.get(platform, "Facebook Lead Ads")
    shaped.meta["external_id"] = text_of(data.get("id") or data.get("leadgen_id"))
    shaped.meta["requested_at"] = text_of(data.get("created_time"))
    _meta(data, FACEBOOK_META, shaped.extra)
    # The Lead Ads Testing Tool fills every field with "<test lead: dummy data for full_name>".
    shaped.is_test = any((text_of(f.value) or "").startswith("<test lead:") for f in shaped.fields)
    if shaped.is_test:
        shaped.extra["test_lead"] = "yes"
    return shaped


def _facebook_notification(data: dict) -> Shaped | None:
    """The Graph webhook itself says only that a lead exists: its fields must be fetched."""
    entries = data.get("entry")
    if data.get("object") != "page" or not isinstance(entries, list):
        return None
    shaped = Shaped("facebook")
    shaped.empty_reason = (
        "a Facebook leadgen notification holds only the lead's id, not its fields: "
        "let the integration fetch the lead (Graph API) and send that"
    )
    return shaped


# --- Google Ads lead forms ---------------------------------------------------------------------


def _google(data: dict) -> Shaped | None:
    columns = data.get("user_column_data")
    if not isinstance(columns, list):
        return None
    shaped = Shaped("google_ads")
    for item in columns[:200]:
        if not isinstance(item, dict):
            continue
        column_id = str(item.get("column_id") or "")
        names = tuple(
            str(n) for n in (column_id, item.get("column_name"), item.get("question_text")) if n
        )
        if not names:
            continue
        value = item.get("string_value", item.get("value"))
        shaped.fields.append(Field(names, value, GOOGLE_COLUMNS.get(column_id.upper())))
    shaped.meta["source"] = "Google Ads"
    shaped.meta["external_id"] = text_of(data.get("lead_id"))
    shaped.meta["requested_at"] = text_of(data.get("lead_submit_time") or data.get("submit_time"))
    _meta(data, GOOGLE_META, shaped.extra)
    shaped.is_test = data.get("is_test") is True
    if shaped.is_test:
        shaped.extra["test_lead"] = "yes"
    return shaped


# --- HubSpot -------------------------------------------------------------------------------------


def _name_value_list(items: object) -> list[Field] | None:
    if not isinstance(items, list) or not items:
        return None
    pairs = [i for i in items[:200] if isinstance(i, dict) and isinstance(i.get("name"), str)]
    if not pairs or not all("value" in i for i in pairs):
        return None
    return [Field((i["name"],), i.get("value")) for i in pairs]


def _hubspot(data: dict | list) -> Shaped | None:
    if isinstance(data, list):  # webhooks v3: a batch of subscription events
        events = [e for e in data[:200] if isinstance(e, dict) and "subscriptionType" in e]
        if not events or len(events) != len(data):
            return None
        shaped = Shaped("hubspot")
        for event in events:
            if isinstance(event.get("propertyName"), str):
                shaped.fields.append(Field((event["propertyName"],), event.get("propertyValue")))
        shaped.meta["source"] = "HubSpot"
        shaped.meta["external_id"] = text_of(events[0].get("objectId"))
        if not shaped.fields:
            shaped.empty_reason = (
                "a HubSpot webhook event names only the contact's id, not its details: "
                "send the form submission, or subscribe to property changes"
            )
        return shaped
    fields = _name_value_list(data.get("fields")) or _name_value_list(data.get("values"))
    properties = data.get("properties")
    if (
        fields is None
        and isinstance(properties, dict)
        and ({"vid", "canonical-vid", "objectId", "portal-id", "hs_object_id", "id"} & data.keys())
    ):
        fields = []
        for name, value in list(properties.items())[:300]:
            if isinstance(value, dict):  # the v1 contact: {"firstname": {"value": "Jan"}}
                value = value.get("value")
            fields.append(Field((str(name),), value))
    if fields is None:
        return None
    shaped = Shaped("hubspot", fields)
    shaped.meta["source"] = "HubSpot"
    context = data.get("context") if isinstance(data.get("context"), dict) else {}
    page = text_of(context.get("pageUri") or data.get("pageUrl"))
    if page:
        shaped.extra["page"] = page
    if text_of(context.get("pageName")):
        shaped.extra["page_name"] = text_of(context.get("pageName"))
    shaped.meta["external_id"] = text_of(
        data.get("conversionId") or data.get("objectId") or data.get("vid") or data.get("id")
    )
    submitted = data.get("submittedAt")
    if isinstance(submitted, int):  # milliseconds since the epoch
        shaped.meta["requested_at"] = datetime.fromtimestamp(submitted / 1000, UTC).isoformat()
    return shaped


# --- Typeform ------------------------------------------------------------------------------------


def _typeform_value(answer: dict) -> object:
    kind = answer.get("type")
    value = answer.get(kind) if isinstance(kind, str) else None
    if kind == "choice" and isinstance(value, dict):
        return value.get("label") or value.get("other")
    if kind == "choices" and isinstance(value, dict):
        labels = list(value.get("labels") or [])
        return labels + ([value["other"]] if value.get("other") else [])
    return value


def _typeform(data: dict) -> Shaped | None:
    response = data.get("form_response")
    if not isinstance(response, dict) or not isinstance(response.get("answers"), list):
        return None
    definition = response.get("definition") if isinstance(response.get("definition"), dict) else {}
    titles = {
        f.get("id"): f.get("title")
        for f in definition.get("fields") or []
        if isinstance(f, dict) and f.get("id")
    }
    shaped = Shaped("typeform")
    for answer in response["answers"][:200]:
        if not isinstance(answer, dict) or not isinstance(answer.get("field"), dict):
            continue
        spec = answer["field"]
        names = tuple(str(n) for n in (spec.get("ref"), titles.get(spec.get("id"))) if n)
        if names:
            hint = TYPEFORM_TYPES.get(str(answer.get("type")))
            shaped.fields.append(Field(names, _typeform_value(answer), hint))
    hidden = response.get("hidden") if isinstance(response.get("hidden"), dict) else {}
    shaped.fields += [Field((str(k),), v) for k, v in list(hidden.items())[:50]]
    shaped.meta["source"] = "Typeform"
    shaped.meta["external_id"] = text_of(response.get("token") or data.get("event_id"))
    shaped.meta["requested_at"] = text_of(response.get("submitted_at"))
    if text_of(definition.get("title")):
        shaped.extra["form_name"] = text_of(definition.get("title"))
    return shaped


# --- recognising ---------------------------------------------------------------------------------

_READERS = (_typeform, _google, _facebook, _facebook_notification, _hubspot)


def detect(data: object) -> tuple[Shaped | None, int]:
    """The shape of a decoded JSON document, and how many leads it held (only the first is read).

    Graph API lists (``{"data": [...], "paging": …}``) and bare lists are looked into."""
    count = 1
    wrapped = isinstance(data, dict) and isinstance(data.get("data"), list) and data["data"]
    if wrapped and set(data) <= {"data", "paging", "summary"}:
        data = data["data"]
    if isinstance(data, list):
        hubspot = _hubspot(data)
        if hubspot is not None:
            return hubspot, 1
        dicts = [d for d in data if isinstance(d, dict)]
        if not dicts:
            return None, 0
        count, data = len(data), dicts[0]
    if not isinstance(data, dict):
        return None, 0
    for reader in _READERS:
        shaped = reader(data)
        if shaped is not None:
            return shaped, count
    return None, count


_QUESTION = re.compile(
    r"^(?:wat is|wat zijn|what is|what s|whats|quel est|quelle est|quels sont|wie ist|wie lautet|"
    r"hoe luidt|welke is)\s+"
)


def question_keys(key: str) -> list[str]:
    """'Wat is je telefoonnummer?' -> ['je telefoonnummer', 'telefoonnummer']: the label a
    question asks for, and the last words of a longer question ('Und Ihr Nachname?')."""
    stripped = key.strip(" ?!.")
    asked = _QUESTION.sub("", stripped).strip()
    found = [asked] if asked != key else []
    words = asked.split()
    if key.rstrip().endswith("?") and len(words) >= 3:
        found += [" ".join(words[-2:]), words[-1]]
    return found
