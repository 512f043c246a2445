"""The appraisal pages. Whoever may see the lead may appraise it (selectors); anything else is a
404, so nobody learns that another dealership's appraisal exists."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from appraisals import links, selectors, services
from appraisals.forms import ChecklistForm, ChecklistItemForm, OfferForm, PhotoForm, TradeInForm
from appraisals.models import Appraisal
from core.outgoing_mail import loop_headers
from leads.models import LeadVehicle
from leads.selectors import visible_leads


def _appraisal(request: HttpRequest, pk: int) -> Appraisal:
    return get_object_or_404(selectors.appraisal_page(request.user, pk))


def start(request: HttpRequest, lead_pk: int) -> HttpResponse:
    """Open the lead's appraisal, creating it (and the trade-in, when the lead had none)."""
    lead = get_object_or_404(visible_leads(request.user).select_related("trade_in"), pk=lead_pk)
    existing = Appraisal.objects.filter(lead=lead).first()
    if existing:
        return redirect("appraisals:detail", pk=existing.pk)
    form = TradeInForm(request.POST or None) if lead.trade_in_id is None else None
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            appraisal = services.start_appraisal(
                lead=lead, by=request.user, vehicle=form.cleaned_data if form else None
            )
        except services.AppraisalError as exc:
            messages.error(request, str(exc))
        else:
            return redirect("appraisals:detail", pk=appraisal.pk)
    return render(request, "appraisals/start.html", {"lead": lead, "form": form})


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    appraisal = _appraisal(request, pk)
    return _render_detail(request, appraisal)


def _render_detail(
    request: HttpRequest,
    appraisal: Appraisal,
    *,
    checklist_form: ChecklistForm | None = None,
    offer_form: OfferForm | None = None,
    car_form: TradeInForm | None = None,
    photo_errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    answers = list(appraisal.answers.all())
    return render(
        request,
        "appraisals/detail.html",
        {
            "appraisal": appraisal,
            "lead": appraisal.lead,
            "checklist_form": checklist_form or ChecklistForm(answers=answers),
            "offer_form": offer_form or OfferForm(instance=appraisal),
            "car_form": car_form or TradeInForm(instance=appraisal.lead.trade_in, prefix="car"),
            "photo_form": PhotoForm(),
            "photo_errors": photo_errors or [],
            "photos": appraisal.photos.all(),
            "warnings": services.offer_warnings(appraisal),
            "manages": selectors.managed_dealerships(request.user)
            .filter(pk=appraisal.lead.dealership_id)
            .exists(),
        },
        status=status,
    )


@require_POST
def update_car(request: HttpRequest, pk: int) -> HttpResponse:
    appraisal = _appraisal(request, pk)
    form = TradeInForm(request.POST, instance=LeadVehicle(), prefix="car")
    if not form.is_valid():
        messages.error(request, _("The car was not changed; see the marked fields."))
        return _render_detail(request, appraisal, car_form=form, status=400)
    try:
        services.update_trade_in(appraisal=appraisal, by=request.user, **form.cleaned_data)
    except services.AppraisalError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Car details saved."))
    return redirect("appraisals:detail", pk=pk)


@require_POST
def save_answers(request: HttpRequest, pk: int) -> HttpResponse:
    appraisal = _appraisal(request, pk)
    form = ChecklistForm(request.POST, answers=list(appraisal.answers.all()))
    if not form.is_valid():
        messages.error(request, _("Some answers could not be read; see the marked lines."))
        return _render_detail(request, appraisal, checklist_form=form, status=400)
    try:
        services.record_answers(appraisal=appraisal, answers=form.answer_data())
    except services.AppraisalError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Inspection saved."))
    return redirect(reverse("appraisals:detail", args=[pk]) + "#checklist")


@require_POST
def add_photos(request: HttpRequest, pk: int) -> HttpResponse:
    appraisal = _appraisal(request, pk)
    form = PhotoForm(request.POST)
    caption = form.cleaned_data["caption"] if form.is_valid() else ""
    try:
        photos = services.add_photos(
            appraisal=appraisal,
            uploads=request.FILES.getlist("photo"),
            by=request.user,
            caption=caption,
        )
    except ValidationError as exc:
        messages.error(request, _("Nothing was uploaded."))
        return _render_detail(request, appraisal, photo_errors=exc.messages, status=400)
    messages.success(
        request,
        ngettext("%(count)d photo added.", "%(count)d photos added.", len(photos))
        % {"count": len(photos)},
    )
    return redirect(reverse("appraisals:detail", args=[pk]) + "#photos")


def photo(request: HttpRequest, pk: int, photo_pk: int) -> FileResponse:
    """The photo itself, only for those who may see the lead; never a public media URL."""
    picture = get_object_or_404(
        selectors.visible_photos(request.user), pk=photo_pk, appraisal_id=pk
    )
    try:
        handle = picture.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("The photo file is missing.")) from exc
    response = FileResponse(handle, content_type=picture.content_type)
    response["Content-Disposition"] = f'inline; filename="photo-{picture.pk}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_POST
def delete_photo(request: HttpRequest, pk: int, photo_pk: int) -> HttpResponse:
    appraisal = _appraisal(request, pk)
    picture = appraisal.photos.filter(pk=photo_pk).first()
    if picture is None:  # a double tap on a phone: the first one removed it
        messages.info(request, _("That photo was already removed."))
    else:
        services.delete_photo(photo=picture)
        messages.success(request, _("Photo removed."))
    return redirect(reverse("appraisals:detail", args=[pk]) + "#photos")


@require_POST
def save_offer(request: HttpRequest, pk: int) -> HttpResponse:
    appraisal = _appraisal(request, pk)
    form = OfferForm(request.POST, instance=Appraisal.objects.get(pk=appraisal.pk))
    if not form.is_valid():
        messages.error(request, _("The offer was not saved; see the marked fields."))
        return _render_detail(request, appraisal, offer_form=form, status=400)
    try:
        services.set_offer(
            appraisal=appraisal,
            valuation=form.cleaned_data["valuation"],
            offer=form.cleaned_data["offer"],
            valid_until=form.cleaned_data["offer_valid_until"],
            remarks=form.cleaned_data["remarks"],
        )
    except services.AppraisalError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Valuation and offer saved."))  # warnings: on the page
    return redirect(reverse("appraisals:detail", args=[pk]) + "#offer")


@require_POST
def change_status(request: HttpRequest, pk: int) -> HttpResponse:
    appraisal = _appraisal(request, pk)
    try:
        services.change_status(appraisal=appraisal, to=request.POST.get("to", ""), by=request.user)
    except services.AppraisalError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Offer updated."))
    return redirect("appraisals:detail", pk=pk)


def _offer_context(appraisal: Appraisal) -> dict:
    dealership = appraisal.lead.dealership
    return {
        "expired": appraisal.status == Appraisal.Status.OFFERED
        and appraisal.offer_valid_until < timezone.localdate(timezone=dealership.tz),
        "appraisal": appraisal,
        "lead": appraisal.lead,
        "dealership": dealership,
        "customer": appraisal.lead.customer,
        "car": appraisal.lead.trade_in,
        "answers": [a for a in appraisal.answers.all() if a.answered],
    }


def offer_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable offer, as the customer receives it, with print and send buttons on screen."""
    appraisal = _appraisal(request, pk)
    context = _offer_context(appraisal) | {"staff_view": True}
    if appraisal.status != Appraisal.Status.DRAFT:
        context["customer_url"] = request.build_absolute_uri(
            reverse("appraisals:public_offer", args=[links.offer_token(appraisal)])
        )
    return render(request, "appraisals/offer.html", context)


@require_POST
def send_offer(request: HttpRequest, pk: int) -> HttpResponse:
    """E-mail the offer to the customer: the offer itself as the body, and their link to it."""
    appraisal = _appraisal(request, pk)
    customer = appraisal.lead.customer
    if appraisal.status != Appraisal.Status.OFFERED:
        messages.error(request, _("Make the offer before sending it."))
    elif not customer.email or customer.erased_at:
        messages.error(request, _("The customer has no e-mail address."))
    else:
        url = request.build_absolute_uri(
            reverse("appraisals:public_offer", args=[links.offer_token(appraisal)])
        )
        context = _offer_context(appraisal) | {"customer_url": url, "email": True}
        with translation.override(customer.language or appraisal.lead.dealership.language):
            subject = _("Our offer for your %(car)s") % {"car": appraisal.lead.trade_in}
            html = render_to_string("appraisals/offer_email.html", context)
            text = render_to_string("appraisals/offer_email.txt", context)
        mail = EmailMultiAlternatives(
            subject, text, None, [customer.email], headers=loop_headers("appraisal-offer")
        )
        mail.attach_alternative(html, "text/html")
        mail.send()
        services.record_offer_sent(appraisal=appraisal, by=request.user, to=customer.email)
        messages.success(request, _("The offer was e-mailed to %(to)s.") % {"to": customer.email})
    return redirect("appraisals:offer", pk=pk)


@login_not_required
def public_offer(request: HttpRequest, token: str) -> HttpResponse:
    """The customer's own page: a signed, expiring link that shows this one offer and nothing
    else. An altered, expired or superseded link is a plain 404."""
    appraisal = links.appraisal_for_token(token)
    if appraisal is None:
        raise Http404(_("This link is not valid (any more)."))
    customer = appraisal.lead.customer
    with translation.override(customer.language or appraisal.lead.dealership.language):
        response = render(request, "appraisals/offer.html", _offer_context(appraisal))
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "private, no-store"
    return response


# --- Checklist configuration (managers and admins of the dealership) ---


def checklist_index(request: HttpRequest) -> HttpResponse:
    dealerships = list(selectors.managed_dealerships(request.user))
    if len(dealerships) == 1:
        return redirect("appraisals:checklist", dealership_pk=dealerships[0].pk)
    if not dealerships:
        raise Http404(_("Only managers configure the checklist."))
    return render(request, "appraisals/checklist_index.html", {"dealerships": dealerships})


def checklist(request: HttpRequest, dealership_pk: int) -> HttpResponse:
    dealership = get_object_or_404(selectors.managed_dealerships(request.user), pk=dealership_pk)
    form = ChecklistItemForm(request.POST or None, initial={"enabled": True})
    if request.method == "POST" and form.is_valid():
        services.add_checklist_item(
            dealership=dealership,
            label=form.cleaned_data["label"],
            kind=form.cleaned_data["kind"],
            unit=form.cleaned_data["unit"],
        )
        messages.success(request, _("Item added."))
        return redirect("appraisals:checklist", dealership_pk=dealership.pk)
    items = list(dealership.checklist_items.order_by("position", "id"))
    return render(
        request,
        "appraisals/checklist.html",
        {
            "dealership": dealership,
            "form": form,
            "rows": [
                (item, ChecklistItemForm(instance=item, prefix=f"i{item.pk}")) for item in items
            ],
        },
        status=400 if form.errors else 200,
    )


@require_POST
def checklist_defaults(request: HttpRequest, dealership_pk: int) -> HttpResponse:
    dealership = get_object_or_404(selectors.managed_dealerships(request.user), pk=dealership_pk)
    added = services.install_default_checklist(dealership=dealership)
    if added:
        messages.success(request, _("The standard checklist was added."))
    else:
        messages.error(request, _("This dealership already has a checklist."))
    return redirect("appraisals:checklist", dealership_pk=dealership.pk)


@require_POST
def checklist_item(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(selectors.configurable_items(request.user), pk=pk)
    form = ChecklistItemForm(request.POST, instance=item, prefix=f"i{item.pk}")
    if form.is_valid():
        form.save()
        messages.success(request, _("“%(label)s” saved.") % {"label": item.label})
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("appraisals:checklist", dealership_pk=item.dealership_id)


@require_POST
def checklist_move(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(selectors.configurable_items(request.user), pk=pk)
    services.move_checklist_item(item=item, up=request.POST.get("direction") == "up")
    return redirect(reverse("appraisals:checklist", args=[item.dealership_id]) + f"#item-{item.pk}")
