"""Assemble a normalized lead (lead.schema.json) from canonical-key values.

The ADF, JSON and label parsers all read their format into ``LeadBuilder.set(key, value)`` calls;
normalisation (phones, names, numbers, vehicles) lives here once.
"""

from __future__ import annotations

import itertools
import re
from datetime import datetime

from leadparser.dates import parse_when
from leadparser.lead_types import lead_type_from_text
from leadparser.makes import canonical_make, make_of_model, split_make, split_vehicle
from leadparser.normalize import (
    clean,
    collapse_ws,
    find_registration,
    fold,
    join_comments,
    normalize_country,
    normalize_email,
    normalize_registration,
    normalize_vin,
    parse_mileage,
    parse_price,
    parse_year,
    region_from_email,
)
from leadparser.phones import parse_phones

VEHICLE_FIELDS = (
    "condition", "year", "make", "model", "trim", "vin", "stock_number", "registration", "price",
    "mileage_km",
)  # fmt: skip
_USED_FROM_KM = 1000  # a car with more on the clock than a delivery run is sold as used
_SALUTATIONS = re.compile(
    r"^(?:dhr|de heer|mevr|mevrouw|mw|mr|mrs|ms|miss|m|mme|mlle|monsieur|madame|herr|frau|"
    r"sr|sra|srta|senor|senora|dr)\.?\s+(?=\S)",
    re.IGNORECASE,
)
_NEW_WORDS = {"nieuw", "new", "neuf", "neu", "nuevo", "nueva", "neuwagen", "nieuwe auto"}
_USED_WORDS = {
    "occasion", "gebruikt", "used", "d occasion", "gebraucht", "gebrauchtwagen", "usado",
    "usada", "seminuevo", "vo", "tweedehands", "pre-owned",
}  # fmt: skip
_PROSE_MILEAGE = re.compile(
    r"(?<![\d.,'’])(?:\d{1,3}(?:[.,\s'’]\d{3})+|\d+)\s*(?:km|kilom|mi\b|miles)", re.IGNORECASE
)
_PROSE_PRICE = re.compile(
    r"(?:€|eur\b|chf\b|£|gbp\b)\s*\d{1,3}(?:[.,\s'’]\d{3})+(?:[.,](?:\d{2}|[-–]))?|"
    r"(?<![\d.,'’])\d{1,3}(?:[.,\s'’]\d{3})+(?:[.,]\d{2})?\s*(?:€|eur\b|chf\b)",
    re.IGNORECASE,
)
_BRACKET_YEAR = re.compile(r"\(((?:19[5-9]|20[0-4])\d)[),]")
_YES_THEN = re.compile(r"(?:ja|yes|oui|s[ií]|sim|tak)\s*[-–—:,/]\s*(?=\S)", re.IGNORECASE)
_YES_NO = {"ja", "nee", "yes", "no", "oui", "non", "nein", "si", "sí", "y", "n", "true", "false"}


# A year in brackets or closing a description's trim (after the model, so never the model).
_TRIM_YEAR = re.compile(r"\(((?:19[5-9]|20[0-4])\d)\)|(?:^|\s)((?:19[5-9]|20[0-4])\d)\s*$")
_PLATE_TAIL = re.compile(
    r"[,;]?\s*\b(?:reg|kenteken|kennzeichen|immatriculation|matr[ií]cula|plate)\b.*$", re.I
)
_CLOCK = re.compile(r"(?<![\d.])\d{1,2}[:h.]\d{2}(?![\d.])")  # 14:30, 14h30; not 05.11.2026
_DAY = re.compile(r"\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}|\d{4}-\d{2}-\d{2}|\d{1,2}\.? [A-Za-z]{3}")
_AM_PM = re.compile(r"(?<!\d)(\d{1,2})(?::(\d{2}))?\s*([ap])\.?\s?m\b\.?", re.IGNORECASE)


def _twenty_four_hour(text: str) -> str:
    """'2:32 PM' -> '14:32', '12:05 am' -> '00:05': the date reader counts hours to 24."""

    def convert(match: re.Match) -> str:
        hour = int(match.group(1)) % 12 + (12 if match.group(3).lower() == "p" else 0)
        return f"{hour:02d}:{match.group(2) or '00'}"

    return _AM_PM.sub(convert, text) if "m" in text.lower() else text


# "8 rue de Fougères, 35000 Rennes", "Thorbeckegracht 8, 8011 VM Zwolle": one address line.
_POSTAL_CITY = re.compile(
    r"^(?P<street>.*?),?\s*(?P<code>\d{4}\s?[A-Z]{2}|[A-Z]?\d{4,5}|[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2})"
    r"\s+(?P<city>[^\W\d_][^\d,]{2,40})$"
)
_CAPITALS = re.compile(r"^[^\W\d_a-z]{2,}(?:[-'][^\W\d_a-z]{2,})*$")  # DUPONT, LE-GALL


def _address_line(text: str) -> tuple[str | None, str | None, str | None]:
    """(street, postal code, city) of a whole address written on one line; else as it was."""
    match = _POSTAL_CITY.match(text.strip())
    if match is None or not match.group("street").strip(" ,") and text.strip()[:1] != ",":
        return text.strip(" ,") or None, None, None
    street = match.group("street").strip(" ,") or None
    return street, match.group("code"), match.group("city").strip()


def _family_name_in_capitals(full: str) -> tuple[str | None, str | None]:
    """(first, last) of "DUPONT Jean" or "Jean DUPONT": French and Belgian forms write the family
    name in capitals, in either order. (None, None) unless exactly one side is in capitals."""
    words = full.split()
    if len(words) < 2:
        return None, None
    caps = [bool(_CAPITALS.match(w)) for w in words]
    if all(caps) or not any(caps):
        return None, None
    lead = len(list(itertools.takewhile(bool, caps)))
    if lead and not any(caps[lead:]):
        return " ".join(words[lead:]), " ".join(words[:lead])
    trail = len(list(itertools.takewhile(bool, reversed(caps))))
    if trail and not any(caps[:-trail]):
        return " ".join(words[:-trail]), " ".join(words[-trail:])
    return None, None


def empty_vehicle() -> dict:
    return dict.fromkeys(VEHICLE_FIELDS)


# A Dutch formal name: initials, the name they go by in brackets, the family name
# ("R. (Ruud) Bosman", "J.H.M. (Joost) van den Berg").
_CALL_NAME = re.compile(
    r"^\s*(?:[^\W\d_]{1,2}\.\s?)+\s*\((?P<first>[^\W\d_][^\W\d_'’-]*(?:[-'’][^\W\d_]+)*)\)"
    r"\s+(?P<last>[^\W\d_][^()\d]{1,60}?)\s*$"
)


class LeadBuilder:
    def __init__(self, fmt: str, *, region: str = "NL") -> None:
        self.format = fmt
        self.region = (region or "NL").upper()
        self.values: dict[str, str] = {}
        self.phones: list[tuple[str, str | None, bool, str]] = []  # text, kind, certain, label
        self.comments: list[str] = []
        self.extra: dict[str, str] = {}
        self.vehicles: dict[str, dict] = {"vehicle": {}, "trade_in": {}}
        self.lead_type: str | None = None
        self.requested_at: str | None = None
        self.appointment_at: str | None = None
        self.email_tz = None
        self.email_date: datetime | None = None

    # -- collecting -------------------------------------------------------------------------
    def set(self, key: str, value: object, *, label: str | None = None) -> None:
        """Record ``value`` for a canonical key; the first value for a key wins."""
        text = clean(value)
        if text is None:
            return
        if key in ("customer.phone", "customer.mobile", "customer.fax"):
            kind = {"customer.mobile": "mobile", "customer.fax": "fax"}.get(key)
            self.add_phone(text, kind=kind, certain=key == "customer.fax", label=label or key)
        elif key == "comments":
            self.comments.append(text)
        elif key.startswith(("vehicle.", "trade_in.")):
            which, _, field_name = key.partition(".")
            known = self.vehicles[which].setdefault(field_name, text)
            if known != text and fold(known) != fold(text):  # a second car: kept apart
                self.extra.setdefault(label or key, text)
        elif key in self.values:
            if fold(self.values[key]) != fold(text) and label:
                self.extra.setdefault(label, text)
        else:
            self.values[key] = text

    def add_phone(
        self, text: str, *, kind: str | None = None, certain: bool = False, label: str = "phone"
    ) -> None:
        self.phones.append((text, kind, certain, label))

    def add_extra(self, key: str, value: object) -> None:
        text = collapse_ws(clean(value))
        if text is not None:
            self.extra.setdefault(key, text)

    # -- building ---------------------------------------------------------------------------
    def has_contact(self) -> bool:
        return bool(
            self.values.get("customer.full_name")
            or self.values.get("customer.first_name")
            or self.values.get("customer.last_name")
            or self.values.get("customer.email")
            or self.phones
        )

    def build(self) -> dict:
        customer = self._customer()
        vehicle = self._vehicle("vehicle")
        trade_in = self._vehicle("trade_in")
        lead_type = self._lead_type(vehicle, trade_in)
        if lead_type == "call":
            self._call_time()
        lead = {
            "format": self.format,
            "source": self.values.get("source"),
            "external_id": self.values.get("external_id"),
            "lead_type": lead_type,
            "requested_at": self.requested_at or self._requested() or self._email_date(),
            "appointment_at": self.appointment_at or self._appointment(),
            "customer": customer,
            "vehicle": vehicle,
            "trade_in": trade_in,
            "comments": join_comments(self.comments),
            "extra": {str(k): str(v) for k, v in self.extra.items() if v is not None},
        }
        return lead

    def _name_parts(self) -> tuple[str | None, str | None, str | None, str | None]:
        full = self._strip_salutation(self.values.get("customer.full_name"))
        first = self._strip_salutation(self.values.get("customer.first_name"))
        middle = self.values.get("customer.middle_name")
        last = self.values.get("customer.last_name")
        # "Nom : Lefèvre" next to "Prénom : Hélène": the name label held the family name.
        if full and first and not last:
            if fold(full).startswith(fold(first) + " "):
                last = full[len(first) :].strip()
            elif fold(full) != fold(first):
                last, full = full, None
        elif full and last and not first:
            if fold(full).endswith(" " + fold(last)):
                first = full[: -len(last)].strip()
            elif fold(full) != fold(last):
                first, full = full, None
        elif full and not first and not last:
            # "Naam (achternaam, voornaam): Bakker, Thomas": a form's "family, given" order.
            family, comma, given = full.partition(",")
            called = _CALL_NAME.match(full)
            if called:
                first, last = called.group("first"), called.group("last")
            elif comma and family.strip() and given.strip() and "," not in given:
                last, first = family.strip(), given.strip()
            else:
                first, last = _family_name_in_capitals(full)
            if first and last:
                full = f"{first} {last}"
        if full is None:
            full = collapse_ws(" ".join(p for p in (first, middle, last) if p))
        return full, first, middle, last

    def _strip_salutation(self, name: str | None) -> str | None:
        if not name:
            return name
        stripped = _SALUTATIONS.sub("", name).strip()
        if stripped != name.strip():
            self.extra.setdefault("salutation", name.strip()[: len(name.strip()) - len(stripped)])
        return collapse_ws(stripped)

    def _hints(self, email: str | None, country: str | None) -> list[str]:
        return [h for h in (country, region_from_email(email)) if h]

    def _customer(self) -> dict:
        full, first, middle, last = self._name_parts()
        email_raw = self.values.get("customer.email")
        email = normalize_email(email_raw)
        if email_raw and not email:
            self.extra.setdefault("email", email_raw)
        country_raw = self.values.get("customer.country")
        country = normalize_country(country_raw)
        if country_raw and not country:
            self.extra.setdefault("country", country_raw)
        phones: list[dict] = []
        for text, kind, certain, label in self.phones:
            found = parse_phones(
                text, self.region, hints=self._hints(email, country), kind=kind,
                kind_is_certain=certain,
            )  # fmt: skip
            if not found:
                self.extra.setdefault(label, text)
            for phone in found:
                known = next((p for p in phones if p["number"] == phone["number"]), None)
                if known is None:
                    phones.append(phone)
                elif known["kind"] == "unknown":
                    known["kind"] = phone["kind"]
        street = self.values.get("customer.street")
        house = self.values.get("customer.house_number")
        if street and house and house not in street:
            street = f"{street} {house}"
        postal_code = self.values.get("customer.postal_code")
        city = self.values.get("customer.city")
        if street and not postal_code and not city:
            street, postal_code, city = _address_line(street)
        elif postal_code and not city:  # "PLZ/Ort: 80331 München"
            _, code, city = _address_line(f", {postal_code}")
            postal_code = code or postal_code
        elif city and not postal_code:  # "NPA / Localité: 1003 Lausanne" read as the city
            _, code, town = _address_line(f", {city}")
            if code and town:
                postal_code, city = code, town
        preferred = self._preferred_contact()
        for key, extra_key in (
            ("customer.salutation", "salutation"),
            ("customer.company", "company"),
        ):
            if key in self.values:
                self.extra.setdefault(extra_key, self.values[key])
        return {
            "first_name": first,
            "last_name": last,
            "full_name": full,
            "email": email,
            "phones": phones,
            "street": collapse_ws(street or house),
            "postal_code": collapse_ws(postal_code),
            "city": collapse_ws(city),
            "country": country,
            "preferred_contact": preferred,
        }

    def _preferred_contact(self) -> str | None:
        raw = self.values.get("customer.preferred_contact")
        if not raw:
            return None
        folded = fold(raw)
        if re.search(r"sms|whatsapp|text", folded):
            return "sms"
        if re.search(r"mail|courriel|correo", folded):
            return "email"
        if re.search(r"tel|phone|bell|appel|anruf|llamad|call|fono|gsm|mobi|handy", folded):
            return "phone"
        self.extra.setdefault("preferred_contact", raw)
        return None

    def _vehicle(self, which: str) -> dict | None:
        raw = self.vehicles[which]
        if not raw:
            return None
        prefix = "" if which == "vehicle" else "trade_in_"
        vehicle = empty_vehicle()
        description = raw.get("description")
        if description and fold(description) in _YES_NO:
            self.add_extra(f"{which}", description)
            description = None
        elif description:
            # "Reprise : Oui - Opel Corsa 1.2 de 2017": the answer, then the car.
            answered = _YES_THEN.match(description)
            description = description[answered.end() :] if answered else description
        make, model = raw.get("make"), raw.get("model")
        if model and make and not fold(model).startswith(fold(make) + " "):
            vehicle["make"], vehicle["model"] = canonical_make(make), model  # structured: as given
        elif model and (make or split_make(model)[0]):
            vehicle.update(split_vehicle(model, make))  # "Model: Ligier Myli G.4"
        elif model:
            # "Modèle : Austral E-Tech": the model as given, and the make only Renault can be.
            vehicle["make"], vehicle["model"] = make_of_model(model), model
        elif description:
            vehicle.update(split_vehicle(self._take_year(description, vehicle), make))
            self._year_from_trim(vehicle)
        else:
            vehicle["make"] = canonical_make(make)
        if raw.get("trim"):
            vehicle["trim"] = raw["trim"]
        if description and not vehicle["make"] and not vehicle["model"]:
            self.add_extra(f"{prefix}description" if prefix else "vehicle", description)
        vehicle["year"] = vehicle["year"] or parse_year(raw.get("year"))
        vehicle["vin"] = normalize_vin(raw.get("vin"))
        vehicle["stock_number"] = clean(raw.get("stock_number"))
        vehicle["registration"] = normalize_registration(raw.get("registration"))
        prose = description or raw.get("trim")
        if prose and not vehicle["registration"]:
            # "Volvo XC40 Recharge Plus, reg YF71 XKD": the plate after a plate word.
            vehicle["registration"] = find_registration(prose)
            if vehicle["registration"] and vehicle["trim"]:
                vehicle["trim"] = _PLATE_TAIL.sub("", vehicle["trim"]) or None
        vehicle["mileage_km"] = parse_mileage(
            raw.get("mileage"), units=raw.get("mileage_units"), region=self.region
        )
        if raw.get("price"):
            vehicle["price"] = parse_price(
                raw["price"], currency=raw.get("currency"), region=self.region
            )
            if vehicle["price"] is None:
                self.add_extra(f"{prefix}price", raw["price"])
        prose = description or raw.get("prose")
        if prose:
            self._prose_facts(prose, vehicle, which)
        vehicle["condition"] = self._condition(raw.get("condition"), vehicle)
        if not any(v for k, v in vehicle.items() if k != "condition"):
            return None
        return vehicle

    def _prose_facts(self, text: str, vehicle: dict, which: str) -> None:
        """Free text carries its facts in prose: "Clio 2015, 120.000 km, 12-ABC-3", "Tiguan
        2.0 TDI (2021, 38'500 km) - CHF 24'900.–". A year only in brackets for the car asked
        about (a bare 2008 may be its model); any year for a trade-in, whose text is prose."""
        km = _PROSE_MILEAGE.search(text)
        if km and vehicle["mileage_km"] is None:
            vehicle["mileage_km"] = parse_mileage(km.group(), region=self.region)
        if which == "trade_in":
            vehicle["year"] = vehicle["year"] or parse_year(text)
            vehicle["registration"] = vehicle["registration"] or find_registration(text)
            return
        price = _PROSE_PRICE.search(text)
        if price and vehicle["price"] is None:
            vehicle["price"] = parse_price(price.group(), region=self.region)
        bracketed = _BRACKET_YEAR.search(text)
        if bracketed and not vehicle["year"]:
            vehicle["year"] = int(bracketed.group(1))

    @staticmethod
    def _take_year(description: str, vehicle: dict) -> str:
        """'2019 Peugeot 308' -> year 2019 and 'Peugeot 308' (a leading year only: 2008 is a model)."""
        match = re.match(r"\s*((?:19|20)\d{2})\s+(\S.*)", description)
        if match:
            vehicle["year"] = int(match.group(1) or match.group(2))
            return match.group(2)
        return description

    @staticmethod
    def _year_from_trim(vehicle: dict) -> None:
        """'Opel Corsa 1.2 Turbo GS Line 2021', 'ID.4 Pro (2023)': a year after the model is the
        car's year, never the model itself ('Peugeot 2008' keeps its model)."""
        trim = vehicle.get("trim") or ""
        match = None if vehicle["year"] else _TRIM_YEAR.search(trim)
        if match:
            vehicle["year"] = int(match.group(1) or match.group(2))
            vehicle["trim"] = collapse_ws(
                (trim[: match.start()] + trim[match.end() :]).strip(" ,-/")
            )

    def _condition(self, raw: str | None, vehicle: dict) -> str | None:
        if raw:
            folded = fold(raw).replace("-", " ")
            if folded in _NEW_WORDS:
                return "new"
            if folded in _USED_WORDS:
                return "used"
        if self.format in ("text", "html") and (vehicle["mileage_km"] or 0) >= _USED_FROM_KM:
            return "used"
        return None

    def _lead_type(self, vehicle: dict | None, trade_in: dict | None) -> str:
        if self.lead_type:
            return self.lead_type
        for key in ("lead_type", "subject", "email_subject"):
            found = lead_type_from_text(self.values.get(key))
            if found:
                return found
        if trade_in and not vehicle:
            return "trade_in"
        # No type in a label or the subject: the customer's own words ("please send a quote").
        found = lead_type_from_text(" ".join(self.comments)[:2000], allow_trade_in=False)
        if found == "quote":  # a question about financing or a drive is still a question
            return found
        if self.appointment_at or self.values.get("appointment_at"):
            return "appointment"
        return "info_request"

    def _when(self, key: str) -> str | None:
        raw = self.values.get(key)
        if not raw:
            return None
        moment, day = parse_when(
            _twenty_four_hour(raw), region=self.region, default_tz=self.email_tz
        )
        if moment is not None:
            return moment.isoformat()
        if day is not None:  # a date without a time: no invented midnight in a date-time field
            self.extra.setdefault(key.replace("_at", "_date"), day.isoformat())
        else:
            self.extra.setdefault(key, raw)
        return None

    def _call_time(self) -> None:
        """A call notification's date and time say when the customer called: no appointment."""
        pairs = (
            ("appointment_at", "requested_at"), ("appointment_time", "requested_time"),
            ("message_date", "requested_at"), ("message_time", "requested_time"),
        )  # fmt: skip
        for when, at in pairs:
            if when in self.values:
                self.values.setdefault(at, self.values.pop(when))

    def _requested(self) -> str | None:
        raw, time_text = self.values.get("requested_at"), self.values.get("requested_time")
        if time_text and raw and not _CLOCK.search(raw):
            self.values["requested_at"] = f"{raw} {time_text}"
        elif time_text and not raw:
            # "Uhrzeit: 09:15" alone: on the day the e-mail was sent.
            has_date = _DAY.search(time_text) or self.email_date is None
            day = "" if has_date else f"{self.email_date.date().isoformat()} "
            self.values["requested_at"] = f"{day}{time_text}"
        return self._when("requested_at")

    def _appointment(self) -> str | None:
        raw = self.values.get("appointment_at")
        time_text = self.values.get("appointment_time")
        if raw and time_text and not _CLOCK.search(raw):  # "14.12.2026" holds no clock time
            self.values["appointment_at"] = f"{raw} {time_text}"
        elif time_text:
            self.extra.setdefault("appointment_time", time_text)
        return self._when("appointment_at")

    def set_email_date(self, when: datetime | None) -> None:
        """The e-mail's Date: the request time when the content has none, and its offset."""
        self.email_date = when
        self.email_tz = when.tzinfo if when else None

    def _email_date(self) -> str | None:
        return self.email_date.isoformat() if self.email_date else None
