"""Who may use each calls URL, in the shape of the project's role walk (tests/web)."""

from calls.models import Call, TrackingNumber

MANAGERS = {"manager", "admin"}
LEAD_SEERS = {"owner", "manager", "admin"}
EVERYONE = {"owner", "colleague", "bdc", "manager", "admin", "stranger"}


def _call(world: dict) -> Call:
    return Call.objects.create(
        dealership=world["dealership"],
        lead=world["lead"],
        direction="bridge",
        state="done",
        outcome="connected",
        agent=world["owner"],
    )


def _number(world: dict) -> TrackingNumber:
    return TrackingNumber.objects.create(
        dealership=world["dealership"],
        source=world["source"],
        number=f"+319701000{TrackingNumber.objects.count():04d}",
    )


CALLS_ACCESS = {
    # Everyone has a call list: their own calls, or their dealerships' for a manager.
    "calls:list": (EVERYONE, None),
    "calls:rate": (LEAD_SEERS, lambda w: [_call(w).pk]),
    "calls:click_to_call": (LEAD_SEERS, lambda w: [w["lead"].pk]),
    # A manager of another dealership sees their own dealership's settings and figures.
    "calls:settings": (MANAGERS | {"stranger"}, None),
    "calls:speed": (MANAGERS | {"stranger"}, None),
    "calls:number_add": (MANAGERS, lambda w: [w["dealership"].pk]),
    "calls:number_delete": (MANAGERS, lambda w: [_number(w).pk]),
}
