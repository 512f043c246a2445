"""Every URL the project serves, with sample arguments, for the permission tests."""

from django.urls import URLPattern, URLResolver, get_resolver

# URLs that anonymous callers may reach, and why. Everything else must demand a login.
PUBLIC = {
    "healthz": "load balancer probe; reveals nothing",
    "login": "the way in",
    "login_code": "the way in, second step: only after the right password, for a few minutes, "
    "wrong codes throttled and counted by django-axes (tests/web/test_two_factor.py)",
    "password_reset": "asking for a reset link: says the same whether the address exists",
    "password_reset_done": "a static 'check your e-mail' page",
    "password_reset_confirm": "the signed, one-time token in the URL is the credential",
    "password_reset_complete": "a static 'password saved' page",
    "api_leads": "website lead API: Bearer token per source (tests/test_lead_api.py)",
    "inbound_google_ads": "Google Ads lead form webhook: the source's google_key in the body, "
    "compared in constant time, wrong key refused (tests/inbound/test_google_ads_webhook.py)",
    "api_export_leads": "integration API: Bearer integration token, one dealership "
    "(tests/integrations/test_integration_api.py)",
    "api_export_lead": "integration API: Bearer integration token, one dealership",
    "api_sales": "DMS sale reports: Bearer integration token with the sales permission",
    "api_openapi": "the API's public description; no data",
    "appraisals:public_offer": "the customer's trade-in offer: the signed, expiring token in the "
    "URL is the credential (tests/test_appraisal_pages.py)",
    "hooks:twilio_status": "Twilio delivery callbacks: X-Twilio-Signature checked with "
    "TWILIO_AUTH_TOKEN, unsigned refused (tests/test_delivery_callbacks.py)",
    "hooks:twilio_sms": "Twilio inbound SMS: X-Twilio-Signature checked, unsigned refused "
    "(tests/test_sms_replies.py)",
    "hooks:unsubscribe": "the customer's unsubscribe link: the signed token in the URL is the "
    "credential (tests/test_delivery_callbacks.py)",
}
PUBLIC_PREFIXES = {
    "admin/": "Django admin has its own login page and staff check",
    "calls/twilio/": "Twilio Voice webhooks: X-Twilio-Signature checked with TWILIO_AUTH_TOKEN, "
    "unsigned or forged refused (tests/calls/test_bridge.py)",
    "anymail/": "e-mail provider webhooks: basic auth or the provider's signature "
    "(tests/test_inbound_webhooks.py)",
}


def all_url_patterns() -> list[tuple[str, str | None]]:
    """(route with placeholders, url name) for every pattern, recursively."""
    found: list[tuple[str, str | None]] = []

    def walk(patterns, prefix: str, namespace: str | None) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                ns = entry.namespace or namespace
                if ns and namespace and entry.namespace:
                    ns = f"{namespace}:{entry.namespace}"
                walk(entry.url_patterns, prefix + str(entry.pattern), ns)
            elif isinstance(entry, URLPattern):
                name = entry.name and (f"{namespace}:{entry.name}" if namespace else entry.name)
                found.append((prefix + str(entry.pattern), name))

    walk(get_resolver().url_patterns, "", None)
    return found


def sample_path(route: str) -> str:
    """A concrete path for a route: converters get plausible values."""
    import re

    path = re.sub(r"<int:\w+>", "1", route)
    path = re.sub(r"<(?:str|slug):\w+>", "x", path)
    path = re.sub(r"<uuid:\w+>", "00000000-0000-0000-0000-000000000000", path)
    path = re.sub(r"<path:\w+>", "x", path)
    path = path.replace("^", "").replace("$", "").replace("\\Z", "")
    path = re.sub(r"\(\?P<\w+>[^)]*\)", "1", path)
    return "/" + path
