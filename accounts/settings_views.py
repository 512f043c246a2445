"""Users and roles, managed in the app by an admin of the dealerships."""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import login, services, two_factor
from accounts.forms import NewPersonForm, PersonForm, RolesForm
from accounts.models import Membership, Role, User
from accounts.permissions import admin_required
from accounts.selectors import dealerships_for


def _people_of(admin: User):
    dealerships = dealerships_for(admin, roles=[Role.ADMIN])
    return dealerships, (
        User.objects.filter(memberships__dealership__in=dealerships)
        .distinct()
        .prefetch_related(
            Prefetch("memberships", queryset=Membership.objects.select_related("dealership"))
        )
    )


def _manageable(admin: User):
    """Whom an admin may change: people whose every membership is at a dealership the admin
    administers. Someone who also works elsewhere (a group-wide account) or a superuser is
    another admin's, or the group's, to change."""
    dealerships, users = _people_of(admin)
    elsewhere = Membership.objects.exclude(dealership__in=dealerships).values("user_id")
    users = users.exclude(pk__in=elsewhere)
    return users if admin.is_superuser else users.exclude(is_superuser=True)


@admin_required
def people(request: HttpRequest) -> HttpResponse:
    _dealerships, users = _people_of(request.user)
    editable = set(_manageable(request.user).values_list("pk", flat=True))
    return render(request, "accounts/people.html", {"people": users, "editable": editable})


@admin_required
def person_new(request: HttpRequest) -> HttpResponse:
    return _person_form(request, None)


@admin_required
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _person_form(request, get_object_or_404(_manageable(request.user), pk=pk))


def _person_form(request: HttpRequest, person: User | None) -> HttpResponse:
    dealerships = list(dealerships_for(request.user, roles=[Role.ADMIN]))
    current = dict(person.memberships.values_list("dealership_id", "role")) if person else {}
    form_class = PersonForm if person else NewPersonForm
    data = request.POST if request.method == "POST" else None
    form = form_class(data, instance=person)
    roles = RolesForm(data, dealerships=dealerships, current=current)
    if data is not None and form.is_valid() and roles.is_valid():
        if person is None:
            fields = {k: v for k, v in form.cleaned_data.items() if k != "password"}
            person = services.create_person(password=form.cleaned_data["password"], **fields)
        else:
            person = form.save()
        services.set_roles(user=person, roles=roles.roles())
        messages.success(request, _("Saved."))
        return redirect("settings:people")
    context = {"form": form, "roles": roles, "person": person}
    context["locked_out"] = person is not None and login.locked_out(person)
    context["two_factor_on"] = person is not None and two_factor.has_device(person)
    return render(request, "accounts/person_form.html", context)


@require_POST
@admin_required
def person_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    """Lift a login lockout before its cool-off ends (the person called the admin)."""
    person = get_object_or_404(_manageable(request.user), pk=pk)
    login.unlock(person)
    messages.success(request, _("%(name)s can log in again.") % {"name": person})
    return redirect("settings:person_edit", pk=person.pk)


@require_POST
@admin_required
def person_two_factor_reset(request: HttpRequest, pk: int) -> HttpResponse:
    """Two-factor login off for someone who lost their phone and their backup codes: they log in
    with the password and, where the group requires it, set up their app again."""
    person = get_object_or_404(_manageable(request.user), pk=pk)
    two_factor.remove_devices(user=person)  # their sessions end too, the lost phone's among them
    if person == request.user:
        update_session_auth_hash(request, person)
    messages.success(
        request,
        _("Two-factor login of %(name)s is reset: they set it up again.") % {"name": person},
    )
    return redirect("settings:person_edit", pk=person.pk)
