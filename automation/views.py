"""Automation pages in the settings area (rules, templates, outbox) for managers and admins of a
dealership, and the lead page's "send from a template". Another dealership's rows are a 404."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import ProtectedError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.models import Role
from accounts.permissions import admin_required, manager_required
from accounts.selectors import dealerships_for
from automation import consent, customer_rules, errors, links, placeholders, selectors, whatsapp
from automation import outbox as sending
from automation import render as renderer
from automation.forms import (
    LeadMessageForm,
    PreviewForm,
    RuleForm,
    TemplateForm,
    WhatsAppSenderForm,
    WhatsAppTemplateForm,
)
from automation.models import ActionState, Channel, MessageTemplate, Rule, WhatsAppTemplate
from leads.models import Lead
from leads.selectors import visible_leads

# --- rules ---------------------------------------------------------------------------------


@manager_required
def rules(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "automation/rules.html",
        {
            "rules": selectors.rules_for(request.user),
            "dealerships": selectors.managed_dealerships(request.user),
        },
    )


@manager_required
def rule_new(request: HttpRequest) -> HttpResponse:
    return _rule_form(request, Rule(window_days=[0, 1, 2, 3, 4, 5]))


@manager_required
def rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _rule_form(request, get_object_or_404(selectors.rules_for(request.user), pk=pk))


def _rule_form(request: HttpRequest, rule: Rule) -> HttpResponse:
    dealerships = selectors.managed_dealerships(request.user)
    form = RuleForm(request.POST or None, instance=rule, dealerships=dealerships)
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        impact = customer_rules.save_rule(rule=saved, sources=list(form.cleaned_data["sources"]))
        messages.success(request, _("Rule saved.") + " " + impact.describe())
        return redirect("automation:rules")
    pending = customer_rules.pending_actions(rule).count() if rule.pk else 0
    return render(
        request, "automation/rule_form.html", {"form": form, "rule": rule, "pending": pending}
    )


@manager_required
@require_POST
def rule_impact(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: what saving the form as it stands would do to the pending messages."""
    rule = get_object_or_404(selectors.rules_for(request.user), pk=pk)
    before = Rule.objects.get(pk=rule.pk)
    form = RuleForm(
        request.POST, instance=rule, dealerships=selectors.managed_dealerships(request.user)
    )
    if not form.is_valid():
        return HttpResponse(_("Complete the form to see what saving does."))
    impact = customer_rules.rule_change_impact(before, form.instance, apply=False)
    return HttpResponse(_("Saving now: %(what)s") % {"what": impact.describe()})


@manager_required
@require_POST
def rule_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(selectors.rules_for(request.user), pk=pk)
    impact = customer_rules.set_rule_enabled(rule=rule, enabled=not rule.is_enabled)
    state = _("enabled") if not rule.is_enabled else _("disabled")
    messages.success(request, f"{rule.name}: {state}. {impact.describe()}")
    return redirect("automation:rules")


# --- templates -----------------------------------------------------------------------------


@manager_required
def templates(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "automation/templates.html",
        {
            "templates": selectors.templates_for(request.user),
            "dealerships": selectors.managed_dealerships(request.user),
        },
    )


@manager_required
def template_new(request: HttpRequest) -> HttpResponse:
    return _template_form(request, MessageTemplate())


@manager_required
def template_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _template_form(request, get_object_or_404(selectors.templates_for(request.user), pk=pk))


def _template_form(request: HttpRequest, template: MessageTemplate) -> HttpResponse:
    dealerships = selectors.managed_dealerships(request.user)
    form = TemplateForm(request.POST or None, instance=template, dealerships=dealerships)
    if request.method == "POST" and form.is_valid():
        template = form.save()
        messages.success(request, _("Template saved."))
        return redirect("automation:template_edit", pk=template.pk)
    preview = None
    if template.pk:
        leads = selectors.preview_leads(template.dealership)
        preview = PreviewForm(leads=leads, initial={"channel": Channel.EMAIL})
    return render(
        request,
        "automation/template_form.html",
        {"form": form, "template": template, "preview_form": preview},
    )


def _preview_lead(request: HttpRequest, template: MessageTemplate, raw: str | None) -> Lead | None:
    leads = Lead.objects.filter(dealership=template.dealership).select_related(
        "customer", "vehicle", "assigned_to", "dealership"
    )
    if raw and raw.isdigit():
        return leads.filter(pk=int(raw)).first()
    return leads.first()


@manager_required
def template_preview(request: HttpRequest, pk: int) -> HttpResponse:
    template = get_object_or_404(selectors.templates_for(request.user), pk=pk)
    lead = _preview_lead(request, template, request.GET.get("lead"))
    return render(
        request,
        "automation/_preview.html",
        _preview_context(template, lead, request.GET.get("language", "")),
    )


def _preview_context(template: MessageTemplate, lead: Lead | None, language: str) -> dict:
    if lead is None:
        return {"error": _("This dealership has no lead to preview with yet.")}
    preferred = (language,) if language else (lead.customer.language, lead.dealership.language)
    code, subject, body = template.version(*preferred)
    context = renderer.lead_context(
        lead, language=code, recipient_name=str(lead.customer), public_url=links.public_url()
    )
    try:
        rendered = renderer.render(subject, body, context, language=code, strict=False)
    except renderer.TemplateProblem as exc:
        return {"error": str(exc)}
    return {
        "rendered": rendered,
        "lead": lead,
        "empty_placeholders": placeholders.empty(context, subject, body),
    }


@manager_required
@require_POST
def template_test(request: HttpRequest, pk: int) -> HttpResponse:
    template = get_object_or_404(selectors.templates_for(request.user), pk=pk)
    lead = _preview_lead(request, template, request.POST.get("lead"))
    channel = request.POST.get("channel") or Channel.EMAIL
    if lead is None or channel not in (Channel.EMAIL, Channel.SMS):
        messages.error(request, _("Choose a lead and a channel for the test."))
        return redirect("automation:template_edit", pk=template.pk)
    try:
        sending.queue_test_send(
            template=template,
            lead=lead,
            channel=channel,
            by=request.user,
            language=request.POST.get("language", ""),
        )
    except errors.AutomationError as exc:
        messages.error(request, str(exc))
    else:
        to = request.user.email if channel == Channel.EMAIL else request.user.phone
        messages.success(request, _("Test message on its way to %(to)s.") % {"to": to})
    return redirect("automation:template_edit", pk=template.pk)


@manager_required
@require_POST
def install_ready_made(request: HttpRequest, dealership_pk: int) -> HttpResponse:
    dealership = get_object_or_404(selectors.managed_dealerships(request.user), pk=dealership_pk)
    made = customer_rules.install_ready_made(dealership=dealership)
    messages.success(
        request,
        ngettext(
            "%(n)d ready-made template added, with a rule that is switched off until you "
            "enable it.",
            "%(n)d ready-made templates added, each with a rule that is switched off until you "
            "enable it.",
            made,
        )
        % {"n": made},
    )
    return redirect("automation:templates")


@manager_required
def outbox(request: HttpRequest) -> HttpResponse:
    actions = selectors.outbox(request.user)
    state = request.GET.get("state", "")
    if state in ActionState.values:
        actions = actions.filter(state=state)
    page = Paginator(actions, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "automation/outbox.html",
        {"page": page, "states": ActionState.choices, "state": state},
    )


@manager_required
def dev_outbox(request: HttpRequest) -> HttpResponse:
    from automation.channels import dev_outbox_email

    if not settings.DEV_OUTBOX:
        raise Http404("The dev outbox exists in development only.")
    page = Paginator(selectors.dev_outbox(request.user), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "automation/dev_outbox.html",
        {
            "page": page,
            "email_held": dev_outbox_email(),
            "sms_held": not settings.TWILIO_ACCOUNT_SID and settings.DEV_OUTBOX,
        },
    )


# --- WhatsApp: the dealership's sender and its approved templates ----------------------------


def _admin_dealerships(request: HttpRequest):
    return dealerships_for(request.user, roles=[Role.ADMIN])


@manager_required
def whatsapp_settings(request: HttpRequest) -> HttpResponse:
    """Managers see whether WhatsApp is on and which templates are approved; admins set the
    sender and manage the templates."""
    dealerships = selectors.managed_dealerships(request.user)
    raw = request.GET.get("dealership", "")
    dealership = (dealerships.filter(pk=int(raw)).first() if raw.isdigit() else None) or (
        dealerships.first()
    )
    if dealership is None:
        raise Http404("No dealership to manage.")
    is_admin = _admin_dealerships(request).filter(pk=dealership.pk).exists()
    missing = [
        name for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN") if not getattr(settings, name)
    ]
    return render(
        request,
        "automation/whatsapp.html",
        {
            "dealership": dealership,
            "dealerships": dealerships,
            "is_admin": is_admin,
            "sender_form": WhatsAppSenderForm(instance=dealership) if is_admin else None,
            "templates": WhatsAppTemplate.objects.filter(dealership=dealership),
            "missing": missing,
            "dev_outbox": bool(missing and settings.DEV_OUTBOX),
            "inbound_url": links.public_url() + reverse("hooks:twilio_sms"),
        },
    )


@admin_required
@require_POST
def whatsapp_sender(request: HttpRequest, dealership_pk: int) -> HttpResponse:
    dealership = get_object_or_404(_admin_dealerships(request), pk=dealership_pk)
    form = WhatsAppSenderForm(request.POST, instance=dealership)
    if form.is_valid():
        form.save()
        if dealership.whatsapp_number:
            messages.success(request, _("WhatsApp sender saved: WhatsApp is on."))
        else:
            messages.success(request, _("WhatsApp sender removed: WhatsApp is off."))
    else:
        for errs in form.errors.values():
            for error in errs:
                messages.error(request, error)
    return redirect(f"{reverse('automation:whatsapp')}?dealership={dealership.pk}")


@admin_required
def whatsapp_template_new(request: HttpRequest) -> HttpResponse:
    raw = request.GET.get("dealership", "")
    template = WhatsAppTemplate(language="nl")
    if raw.isdigit():
        dealership = _admin_dealerships(request).filter(pk=int(raw)).first()
        if dealership is not None:
            template.dealership, template.language = dealership, dealership.language
    return _whatsapp_template_form(request, template)


@admin_required
def whatsapp_template_edit(request: HttpRequest, pk: int) -> HttpResponse:
    template = get_object_or_404(
        WhatsAppTemplate.objects.filter(dealership__in=_admin_dealerships(request)), pk=pk
    )
    return _whatsapp_template_form(request, template)


def _whatsapp_template_form(request: HttpRequest, template: WhatsAppTemplate) -> HttpResponse:
    form = WhatsAppTemplateForm(
        request.POST or None,
        instance=template,
        dealerships=_admin_dealerships(request),
        initial={"dealership": template.dealership_id} if template.dealership_id else None,
    )
    if request.method == "POST" and form.is_valid():
        template = form.save()
        messages.success(request, _("WhatsApp template saved."))
        return redirect(f"{reverse('automation:whatsapp')}?dealership={template.dealership_id}")
    preview = None
    if template.pk:
        lead = _preview_lead(request, template, None)
        if lead is not None:
            preview = {"lead": lead, "filled": whatsapp.fill(template, lead, strict=False)}
    return render(
        request,
        "automation/whatsapp_template_form.html",
        {"form": form, "template": template, "preview": preview},
    )


@admin_required
@require_POST
def whatsapp_template_delete(request: HttpRequest, pk: int) -> HttpResponse:
    template = get_object_or_404(
        WhatsAppTemplate.objects.filter(dealership__in=_admin_dealerships(request)), pk=pk
    )
    try:
        template.delete()
    except ProtectedError:
        messages.error(
            request, _("A rule sends this template: change the rule first, or take it out of use.")
        )
    else:
        messages.success(request, _("WhatsApp template deleted."))
    return redirect(f"{reverse('automation:whatsapp')}?dealership={template.dealership_id}")


# --- the lead page: send a template to the customer -----------------------------------------


def _empty_for(template: MessageTemplate, lead: Lead) -> list[str]:
    code, subject, body = template.version(lead.customer.language, lead.dealership.language)
    context = renderer.lead_context(lead, language=code, recipient_name=str(lead.customer))
    return placeholders.empty(context, subject, body)


def lead_message(request: HttpRequest, pk: int) -> HttpResponse:
    """GET (htmx): the chosen template rendered for this lead. POST: send it."""
    lead = get_object_or_404(
        visible_leads(request.user).select_related(
            "customer", "dealership", "assigned_to", "vehicle"
        ),
        pk=pk,
    )
    form = LeadMessageForm(request.POST or request.GET or None, lead=lead)
    if request.method == "POST":
        if not form.is_valid():
            messages.error(request, _("Choose a template and a channel."))
        elif gaps := _empty_for(form.cleaned_data["template"], lead):
            messages.error(
                request,
                _("Not sent: %(names)s would be empty for this lead.")
                % {"names": ", ".join("{{ %s }}" % n for n in gaps)},  # noqa: UP031
            )
        else:
            try:
                sending.queue_lead_message(
                    lead=lead,
                    template=form.cleaned_data["template"],
                    channel=form.cleaned_data["channel"],
                    by=request.user,
                )
            except errors.AutomationError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(
                    request, _("Message queued; it appears on the timeline once sent.")
                )
        return redirect("leads:detail", pk=lead.pk)
    context: dict = {"lead": lead}
    if form.is_bound and form.is_valid():
        template = form.cleaned_data["template"]
        context.update(_preview_context(template, lead, ""))
        context["blocked"] = consent.why_not_to_customer(lead, form.cleaned_data["channel"])
    else:
        context["error"] = _("Choose a template to see it.")
    return render(request, "automation/_preview.html", context)
