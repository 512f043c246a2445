"""A passive list (re-activation, service customers) read from CSV into the BDC queue: columns
mapped to fields (guessed from their names in nl, fr, de, en), each row checked, duplicates
skipped (a customer with an open lead, or the same person twice in the file), consent taken
from the file where it says."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Upper
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from dealers.models import Dealership
from dealers.phones import to_e164
from leads import services
from leads.customers import normalize_email
from leads.models import Customer, CustomerPhone, Lead, LeadType, LeadVehicle, Source

MAX_BYTES = 2_000_000
MAX_ROWS = 10_000

FIELDS = {
    "first_name": gettext_lazy("First name"),
    "last_name": gettext_lazy("Last name"),
    "full_name": gettext_lazy("Name"),
    "email": gettext_lazy("E-mail"),
    "phone": gettext_lazy("Phone"),
    "postal_code": gettext_lazy("Postal code"),
    "city": gettext_lazy("City"),
    "vehicle": gettext_lazy("Vehicle (make and model)"),
    "registration": gettext_lazy("Registration"),
    "consent_email": gettext_lazy("E-mail consent"),
    "consent_sms": gettext_lazy("SMS consent"),
    "comments": gettext_lazy("Comments"),
}
# Header names as dealer systems export them, lower-cased, without spaces, dashes, dots.
_GUESSES = {
    "first_name": {"firstname", "voornaam", "prenom", "prénom", "vorname", "givenname"},
    "last_name": {"lastname", "achternaam", "nom", "nachname", "surname", "familyname"},
    "full_name": {"name", "naam", "fullname", "nomcomplet", "klant", "customer", "client"},
    "email": {"email", "mail", "emailadres", "emailaddress", "adressemail", "courriel"},
    "phone": {
        "phone",
        "telefoon",
        "tel",
        "mobiel",
        "mobile",
        "gsm",
        "telephone",
        "téléphone",
        "portable",
        "telefon",
        "handy",
        "phonenumber",
        "telefoonnummer",
    },
    "postal_code": {"postalcode", "postcode", "zip", "zipcode", "codepostal", "plz"},
    "city": {"city", "plaats", "woonplaats", "ville", "stadt", "ort"},
    "vehicle": {"vehicle", "auto", "voertuig", "vehicule", "véhicule", "fahrzeug", "model", "car"},
    "registration": {
        "registration",
        "kenteken",
        "immatriculation",
        "plate",
        "kennzeichen",
        "licenseplate",
    },
    "consent_email": {
        "consentemail",
        "emailconsent",
        "optinemail",
        "emailoptin",
        "toestemmingemail",
        "consentementemail",
    },
    "consent_sms": {
        "consentsms",
        "smsconsent",
        "optinsms",
        "smsoptin",
        "toestemmingsms",
        "consentementsms",
    },
    "comments": {
        "comments",
        "opmerkingen",
        "opmerking",
        "notes",
        "note",
        "remarques",
        "bemerkungen",
    },
}
_YES = {"1", "yes", "y", "ja", "j", "true", "waar", "oui", "x", "opt-in", "optin"}
_NO = {"0", "no", "n", "nee", "false", "onwaar", "non", "nein", "opt-out", "optout"}


class ListFileError(ValueError):
    """The file as a whole cannot be read; the message says why."""


def read_csv(data: bytes) -> tuple[list[str], list[list[str]]]:
    if len(data) > MAX_BYTES:
        raise ListFileError(_("The file is larger than 2 MB."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252")  # Excel's "CSV" on Windows
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = [row for row in csv.reader(io.StringIO(text), dialect) if any(c.strip() for c in row)]
    if len(rows) < 2:
        raise ListFileError(_("The file needs a header row and at least one row of data."))
    if len(rows) > MAX_ROWS + 1:
        raise ListFileError(_("More than 10,000 rows: split the file."))
    return [c.strip() for c in rows[0]], rows[1:]


def guess_mapping(header: list[str]) -> dict[int, str]:
    mapping: dict[int, str] = {}
    for index, name in enumerate(header):
        key = "".join(ch for ch in name.lower() if ch.isalnum() or ch in "éè")
        for field_name, names in _GUESSES.items():
            if key in names and field_name not in mapping.values():
                mapping[index] = field_name
                break
    return mapping


@dataclass
class Row:
    line: int
    values: dict[str, str]
    errors: list[str] = field(default_factory=list)
    duplicate_of: Lead | Customer | None = None
    phone: str = ""
    email: str = ""
    in_file_duplicate: int | None = None

    @property
    def status(self) -> str:
        if self.errors:
            return "error"
        if self.duplicate_of is not None or self.in_file_duplicate:
            return "duplicate"
        return "new"


def _consent(value: str | None) -> bool | None:
    """Yes, no, or None when the file does not say (no column, or an empty cell)."""
    value = (value or "").strip().lower()
    if not value:
        return None
    if value in _YES:
        return True
    if value in _NO:
        return False
    raise ValueError(value)


def check_rows(
    *, dealership: Dealership, rows: list[list[str]], mapping: dict[int, str]
) -> list[Row]:
    """Every row with its problems and whether it is already known: the preview, and the import."""
    checked: list[Row] = []
    seen: dict[str, int] = {}
    for number, cells in enumerate(rows, start=2):
        values = {
            name: cells[index].strip()[:200]
            for index, name in mapping.items()
            if index < len(cells)
        }
        row = Row(line=number, values=values)
        name = values.get("full_name") or " ".join(
            p for p in (values.get("first_name"), values.get("last_name")) if p
        )
        if not name:
            row.errors.append(_("no name"))
        if values.get("email"):
            try:
                validate_email(values["email"])
                row.email = normalize_email(values["email"])
            except ValidationError:
                row.errors.append(
                    _("not an e-mail address: %(value)s") % {"value": values["email"]}
                )
        if values.get("phone"):
            row.phone = to_e164(values["phone"], dealership.country) or ""
            if not row.phone:
                row.errors.append(_("not a phone number: %(value)s") % {"value": values["phone"]})
        if not (row.email or row.phone) and not row.errors:
            row.errors.append(_("no e-mail address or phone number"))
        for key in ("consent_email", "consent_sms"):
            try:
                _consent(values.get(key))
            except ValueError:
                row.errors.append(
                    _("%(field)s is not yes or no: %(value)s")
                    % {"field": FIELDS[key], "value": values[key]}
                )
        for key in (row.email.lower(), row.phone):
            if key and key in seen and not row.in_file_duplicate:
                row.in_file_duplicate = seen[key]
            elif key:
                seen.setdefault(key, number)
        checked.append(row)
    _mark_known(dealership, checked)
    return checked


def _mark_known(dealership: Dealership, rows: list[Row]) -> None:
    """A customer the dealership knows who has an open lead is a duplicate: one query each way."""
    emails = {r.email.upper() for r in rows if r.email}
    phones = {r.phone for r in rows if r.phone}
    open_leads = Lead.objects.filter(dealership=dealership).open().select_related("customer")
    by_email = (
        {
            lead.customer.email.upper(): lead
            for lead in open_leads.annotate(upper_email=Upper("customer__email")).filter(
                upper_email__in=emails
            )
        }
        if emails
        else {}
    )
    by_phone = (
        {
            phone.number: lead
            for lead in open_leads.filter(customer__phones__number__in=phones).prefetch_related(
                "customer__phones"
            )
            for phone in lead.customer.phones.all()
        }
        if phones
        else {}
    )
    for row in rows:
        row.duplicate_of = by_email.get(row.email.upper()) or by_phone.get(row.phone)


@dataclass
class ImportResult:
    created: list[Lead]
    rows: list[Row]


@transaction.atomic
def import_rows(
    *,
    dealership: Dealership,
    source: Source,
    rows: list[list[str]],
    mapping: dict[int, str],
    by: User,
    filename: str = "",
) -> ImportResult:
    """The new rows become passive leads (the BDC queue); errors and duplicates are skipped and
    listed. New customers' consent is what the file says, and "no" when the file does not say:
    a bought or old list is no permission to send marketing."""
    checked = check_rows(dealership=dealership, rows=rows, mapping=mapping)
    leads: list[Lead] = []
    for row in checked:
        if row.status != "new":
            continue
        values = row.values
        customer = services.find_or_create_customer(
            dealership=dealership,
            first_name=values.get("first_name", ""),
            last_name=values.get("last_name", ""),
            full_name=values.get("full_name", ""),
            email=row.email,
            phones=[(row.phone, CustomerPhone.Kind.UNKNOWN)] if row.phone else [],
            postal_code=values.get("postal_code", ""),
            city=values.get("city", ""),
        )
        consent = {
            "consent_email": _consent(values.get("consent_email")),
            "consent_sms": _consent(values.get("consent_sms")),
        }
        is_new = not customer.leads.exists()
        updates = {
            key: (value if value is not None else (False if is_new else getattr(customer, key)))
            for key, value in consent.items()
        }
        Customer.objects.filter(pk=customer.pk).update(**updates)
        vehicle = None
        if values.get("vehicle") or values.get("registration"):
            make, _sep, model = values.get("vehicle", "").partition(" ")
            vehicle = LeadVehicle(
                make=make[:60],
                model=model[:80],
                registration="".join(
                    ch for ch in values.get("registration", "") if ch.isalnum()
                ).upper()[:16],
            )
        leads.append(
            services.new_lead(
                dealership=dealership,
                customer=customer,
                source=source,
                lead_type=LeadType.OTHER,
                trade_in=vehicle,
                comments=values.get("comments", ""),
                is_passive=True,
                extra={"entered_as": "list", "import": filename[:100], "line": str(row.line)},
            )
        )
    created = services.create_leads(leads=leads, by=by) if leads else []
    return ImportResult(created=created, rows=checked)
