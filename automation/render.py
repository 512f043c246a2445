"""Templates written by managers, rendered with Django's template engine in a sandbox: a
restricted context of plain strings (no model objects, so no attribute walks into the database),
a whitelist of tags (no include/load/debug/url), autoescape for the HTML part."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from django.template import Context, Engine, TemplateSyntaxError
from django.template.base import Lexer, TokenType
from django.utils import formats, timezone, translation
from django.utils.html import linebreaks

from leads.models import Lead, LeadType

ALLOWED_TAGS = {"if", "elif", "else", "endif", "for", "empty", "endfor", "firstof"}
PLACEHOLDERS = (
    "customer_name",
    "customer_first_name",
    "vehicle",
    "salesperson",
    "salesperson_phone",
    "salesperson_email",
    "dealership",
    "dealership_phone",
    "appointment",
    "lead_type",
    "lead_url",
    "recipient_name",
)

_engine = Engine(dirs=[], app_dirs=False, loaders=[], libraries={}, autoescape=True)


class TemplateProblem(ValueError):
    """A template a manager wrote that we will not render; the message says what to fix."""


def check_source(source: str) -> None:
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK:
            tag = token.split_contents()[0] if token.contents.strip() else ""
            if tag not in ALLOWED_TAGS:
                raise TemplateProblem(f"The tag {{% {tag} %}} is not allowed in a message.")
    try:
        _engine.from_string(source)
    except TemplateSyntaxError as exc:
        raise TemplateProblem(f"Template error: {exc}") from exc


@dataclass(frozen=True)
class Rendered:
    language: str
    subject: str
    text: str
    html: str


def lead_context(
    lead: Lead, *, language: str, recipient_name: str = "", public_url: str = ""
) -> dict[str, str]:
    """The placeholders for this lead, formatted in the recipient's language and the
    dealership's time zone."""
    customer = lead.customer
    seller = lead.assigned_to
    appointment = ""
    if lead.appointment_at:
        with translation.override(language), timezone.override(lead.dealership.tz):
            appointment = formats.date_format(
                timezone.localtime(lead.appointment_at), "DATETIME_FORMAT"
            )
    lead_type = _label(LeadType, lead.lead_type, language)
    return {
        "customer_name": customer.full_name or customer.email,
        # The first name, never the full name ("Beste Jan," not "Beste Jan de Vries,").
        "customer_first_name": customer.first_name or (customer.full_name or "").split(" ")[0],
        "vehicle": str(lead.vehicle) if lead.vehicle_id else "",
        "salesperson": seller.get_full_name() or seller.username if seller else "",
        "salesperson_phone": seller.phone if seller else "",
        "salesperson_email": seller.email if seller else "",
        "dealership": lead.dealership.name,
        "dealership_phone": lead.dealership.phone,
        "appointment": appointment,
        "lead_type": lead_type,
        "lead_url": f"{public_url}/leads/{lead.pk}/" if public_url else "",
        "recipient_name": recipient_name,
    }


@lru_cache(maxsize=256)
def _label(choices: type, value: str, language: str) -> str:
    with translation.override(language):
        return str(dict(choices.choices).get(value, value))


_compiled: dict[tuple[str, bool], object] = {}


def _compile(source: str, autoescape: bool):
    key = (source, autoescape)
    template = _compiled.get(key)
    if template is None:
        check_source(source)
        template = _engine.from_string(source)
        if len(_compiled) > 2000:  # templates are few; bound the cache anyway
            _compiled.clear()
        _compiled[key] = template
    return template


def render(subject: str, body: str, context: dict[str, str], *, language: str) -> Rendered:
    with translation.override(language):
        ctx_plain = Context(context, autoescape=False)
        ctx_html = Context(context, autoescape=True)
        subject_out = _compile(subject, False).render(ctx_plain).strip().replace("\n", " ")
        text = _compile(body, False).render(ctx_plain).strip()
        html = linebreaks(_compile(body, True).render(ctx_html).strip())
    return Rendered(language=language, subject=subject_out, text=text, html=html)
