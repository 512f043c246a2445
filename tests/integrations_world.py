"""Who may use each integrations URL, in the shape of the project's role walk."""

from integrations.models import ApiToken, Delivery, Forwarding

MANAGERS = {"manager", "admin"}


def _forwarding(world: dict) -> Forwarding:
    rule, _ = Forwarding.objects.get_or_create(
        dealership=world["dealership"],
        name="Walk",
        defaults={"format": "json", "transport": "email", "email": "dms@example.test"},
    )
    return rule


def _delivery(world: dict) -> Delivery:
    return Delivery.objects.create(forwarding=_forwarding(world), lead=world["lead"])


def _token(world: dict) -> ApiToken:
    token = ApiToken(dealership=world["dealership"], name="Walk")
    token.issue()
    token.save()
    return token


INTEGRATIONS_ACCESS = {
    "integrations:index": (MANAGERS | {"stranger"}, None),
    "integrations:forwarding_new": (MANAGERS | {"stranger"}, None),
    "integrations:forwarding": (MANAGERS, lambda w: [_forwarding(w).pk]),
    "integrations:forwarding_edit": (MANAGERS, lambda w: [_forwarding(w).pk]),
    "integrations:forwarding_send": (MANAGERS, lambda w: [_forwarding(w).pk]),
    "integrations:send_again": (MANAGERS, lambda w: [_delivery(w).pk]),
    "integrations:token_new": (MANAGERS | {"stranger"}, None),
    "integrations:token_revoke": (MANAGERS, lambda w: [_token(w).pk]),
    "integrations:sales": (MANAGERS | {"stranger"}, None),
}
