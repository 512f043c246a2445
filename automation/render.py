"""Templates written by managers, rendered with Django's template engine in a sandbox: a
restricted context of plain strings (no model objects, so no attribute walks into the database),
only the placeholders below, a whitelist of tags (if and firstof: no loops, no include/load/url)
and of filters (no |safe: the HTML part is always escaped), a bounded output. Without loops a
template's rendering time is linear in its length, which the form bounds.

A placeholder printed outside an {% if %} and without |default that has no value for a lead stops
that message ("Bel ." never goes out): EmptyPlaceholder, which the dispatcher records as the
reason the message was skipped."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from django.template import Context, Engine, TemplateSyntaxError
from django.template.base import FilterExpression, Lexer, Parser, TokenType, Variable, VariableNode
from django.template.defaulttags import FirstOfNode, IfNode
from django.utils import formats, timezone, translation
from django.utils.html import linebreaks
from django.utils.translation import gettext as _

from leads.models import Lead, LeadType

ALLOWED_TAGS = {"if", "elif", "else", "endif", "firstof"}
ALLOWED_FILTERS = {
    "default",
    "upper",
    "lower",
    "title",
    "capfirst",
    "truncatechars",
    "truncatewords",
}
GUARDS = {"default", "default_if_none"}
IF_WORDS = {"and", "or", "not", "in", "is", "None", "True", "False"}
MAX_OUTPUT = 20_000  # characters of one rendered part: a long e-mail, ten SMS segments
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


class EmptyPlaceholder(TemplateProblem):
    """The template prints a placeholder that has no value for this lead."""


def _valid_names() -> str:
    return ", ".join("{{ %s }}" % name for name in PLACEHOLDERS)  # noqa: UP031


def _check_expression(contents: str) -> None:
    try:
        expression = FilterExpression(contents, Parser([], builtins=_engine.template_builtins))
    except TemplateSyntaxError as exc:
        raise TemplateProblem(_("Template error: %(error)s") % {"error": exc}) from exc
    for function, _args in expression.filters:
        name = getattr(function, "_filter_name", function.__name__)
        if name not in ALLOWED_FILTERS:
            raise TemplateProblem(
                _("The filter |%(name)s is not allowed in a message; allowed: %(allowed)s.")
                % {"name": name, "allowed": ", ".join(f"|{f}" for f in sorted(ALLOWED_FILTERS))}
            )
    if isinstance(expression.var, Variable):
        _check_name(expression.var.var)


def _check_name(name: str) -> None:
    if name not in PLACEHOLDERS:
        raise TemplateProblem(
            _("Unknown placeholder %(name)s; the placeholders are: %(names)s.")
            % {"name": "{{ %s }}" % name, "names": _valid_names()}  # noqa: UP031
        )


def check_source(source: str) -> None:
    """Raise TemplateProblem, saying what to change, unless the source is a template the
    sandbox renders: allowed tags and filters, known placeholders, valid syntax."""
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.VAR:
            _check_expression(token.contents)
        elif token.token_type == TokenType.BLOCK:
            words = token.split_contents() if token.contents.strip() else [""]
            if words[0] not in ALLOWED_TAGS:
                raise TemplateProblem(
                    _("The tag %(tag)s is not allowed in a message.")
                    % {"tag": "{%% %s %%}" % words[0]}  # noqa: UP031
                )
            for word in words[1:]:
                if word in IF_WORDS or not word[:1].isalpha() and word[:1] != "_":
                    continue  # operators, numbers, quoted strings
                _check_expression(word)
    try:
        _engine.from_string(source)
    except TemplateSyntaxError as exc:
        raise TemplateProblem(_("Template error: %(error)s") % {"error": exc}) from exc


def unguarded(template) -> set[str]:
    """The placeholders a compiled template prints outside any {% if %} / {% firstof %} and
    without |default: those must have a value, or the sentence around them breaks."""
    found: set[str] = set()

    def walk(nodes) -> None:
        for node in nodes:
            if isinstance(node, IfNode | FirstOfNode):
                continue
            if isinstance(node, VariableNode):
                expression = node.filter_expression
                names = {getattr(f, "_filter_name", "") for f, _a in expression.filters}
                if isinstance(expression.var, Variable) and not names & GUARDS:
                    found.add(expression.var.var)
            for attr in getattr(node, "child_nodelists", ()):
                walk(getattr(node, attr, None) or ())

    walk(template.nodelist)
    return found


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


_compiled: dict[str, tuple[object, frozenset[str]]] = {}


def _compile(source: str):
    """The compiled template and the placeholders it needs filled (cached: templates are few)."""
    found = _compiled.get(source)
    if found is None:
        check_source(source)
        template = _engine.from_string(source)
        found = (template, frozenset(unguarded(template)))
        if len(_compiled) > 2000:  # bound the cache anyway
            _compiled.clear()
        _compiled[source] = found
    return found


def _render(source: str, context: dict[str, str], *, autoescape: bool, strict: bool) -> str:
    template, needed = _compile(source)
    missing = sorted(name for name in needed if not str(context.get(name) or "").strip())
    if missing and strict:
        raise EmptyPlaceholder(
            "no value for "
            + ", ".join("{{ %s }}" % name for name in missing)  # noqa: UP031
            + " for this lead; the message was not sent (use {% if %} or |default in the template)"
        )
    out = template.render(Context(context, autoescape=autoescape)).strip()
    if len(out) > MAX_OUTPUT:
        raise TemplateProblem(
            _("The message is longer than %(limit)s characters.") % {"limit": MAX_OUTPUT}
        )
    return out


def render(
    subject: str, body: str, context: dict[str, str], *, language: str, strict: bool = True
) -> Rendered:
    """The message in `language`. `strict` (sending): an unguarded empty placeholder raises
    EmptyPlaceholder; a preview passes strict=False and lists the empty ones itself."""
    with translation.override(language):
        subject_out = _render(subject, context, autoescape=False, strict=strict)
        text = _render(body, context, autoescape=False, strict=strict)
        html = linebreaks(_render(body, context, autoescape=True, strict=strict))
        subject_out = subject_out.replace("\n", " ")
    return Rendered(language=language, subject=subject_out, text=text, html=html)
