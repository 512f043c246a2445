from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts import services
from accounts.models import Presence


@require_POST
def set_presence(request: HttpRequest) -> HttpResponse:
    presence = request.POST.get("presence", "")
    if presence not in Presence.values:
        return HttpResponseBadRequest("Unknown presence.")
    services.set_presence(user=request.user, presence=presence)
    if request.htmx:
        return render(request, "accounts/_presence.html")
    # Only back to a page of this site: an open redirect would lend our name to a phishing link.
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "home"
    return redirect(target)
