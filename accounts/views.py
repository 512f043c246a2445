from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
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
    return redirect(request.POST.get("next") or "home")
