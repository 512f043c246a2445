"""Content-Security-Policy (django-csp): every page answers with a policy that lets the browser run
only this site's script files and apply only its style sheets, and no page carries inline
JavaScript (a <script> without src, an on…= handler, a javascript: link) or inline style for
the policy to block. The pages are the role walk's, each as someone allowed to see it, whole and
as htmx asks for them; and the pages open without a login."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.urls import reverse

from automation import links
from tests.factories import salesperson
from tests.web.test_role_walk import ACCESS, APP_URLS, ROLES, world  # noqa: F401 — the fixture
from tests.web.test_two_factor import enrolled, password_step


def directives(header: str) -> dict[str, list[str]]:
    parts = (part.split() for part in header.split(";") if part.strip())
    return {words[0]: words[1:] for words in parts}


class InlineCode(HTMLParser):
    """Collects what a strict policy would block: inline scripts, event handler attributes,
    javascript: URLs, style attributes and <style> elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name.lower(): value or "" for name, value in attrs}
        if tag == "script":
            if "src" not in names:
                self.found.append("<script> without src")
            elif names["src"].startswith(("//", "http:", "https:")):
                self.found.append(f"<script src={names['src']}> from another site")
        if tag == "style":
            self.found.append("<style> element")
        for name, value in names.items():
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=…>")
            if name == "style":
                self.found.append(f"<{tag} style=…>")
            if name in ("href", "src", "action", "formaction") and value.strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f"<{tag} {name}=javascript:…>")
            if name in ("hx-on", "hx-vars") or name.startswith(("hx-on:", "hx-on-")):
                self.found.append(f"<{tag} {name}=…> (htmx eval)")
            if name == "hx-vals" and value.strip().startswith(("js:", "javascript:")):
                self.found.append(f"<{tag} hx-vals=js:…> (htmx eval)")


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    parser.close()
    return parser.found


def check(response, what: str) -> None:
    policy = directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"], what
    assert policy["style-src"] == ["'self'"], what
    assert policy["object-src"] == ["'none'"], what
    assert policy["frame-ancestors"] == ["'none'"], what
    assert policy["base-uri"] == ["'self'"] and policy["form-action"] == ["'self'"], what
    if response.get("Content-Type", "").startswith("text/html"):
        found = inline_code(response.content.decode())
        assert not found, f"{what}: {found}"


def test_the_checker_finds_inline_code():
    """The parser that the walk trusts catches each kind it is meant to catch."""
    assert inline_code('<p><script src="/static/js/app.js" defer></script></p>') == []
    assert len(inline_code("<script>alert(1)</script>")) == 1
    assert len(inline_code('<button ONCLICK="x()">')) == 1
    assert len(inline_code('<a href=" javascript:x()">')) == 1
    assert len(inline_code('<div style="color:red">')) == 1
    assert len(inline_code("<style>p{}</style>")) == 1
    assert len(inline_code("<div hx-vals='js:{a: 1}'>")) == 1
    assert len(inline_code('<script src="https://cdn.example/x.js"></script>')) == 1


def test_the_policy_allows_no_inline_script_and_no_eval():
    policy = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    for directive in ("script-src", "style-src", "default-src"):
        assert not {"'unsafe-inline'", "'unsafe-eval'", "*", "data:"} & set(policy[directive])


WALKED = [name for name in APP_URLS if name in ACCESS]


@pytest.mark.parametrize("name", WALKED)
def test_every_page_of_the_role_walk_has_the_policy_and_no_inline_code(
    client,
    world,  # noqa: F811 — the role walk's fixture
    name,
):
    allowed, args = ACCESS[name]
    role = next(r for r in ROLES if r in allowed)
    client.force_login(world[role])
    url = reverse(name, args=args(world) if args else None)
    for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
        response = client.get(url, **headers)
        if response.status_code == 405:  # POST-only: its answer to an empty form
            response = client.post(url, {}, **headers)
        assert response.status_code < 500, name
        check(response, f"{name} as {role}{' (htmx)' if headers else ''}")


@pytest.mark.django_db
def test_the_pages_open_without_a_login_have_the_policy_and_no_inline_code(client, dealership):
    for url in (
        reverse("login"),
        reverse("password_reset"),
        reverse("password_reset_done"),
        reverse("password_reset_complete"),
        links.unsubscribe_url(channel="email", address="jan@example.nl"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        check(response, url)
    seller = salesperson(dealership)
    enrolled(seller)
    password_step(client, seller)
    response = client.get(reverse("login_code"))
    assert response.status_code == 200
    check(response, "login_code")


@pytest.mark.django_db
def test_the_security_page_with_its_qr_code_has_no_inline_code(client, dealership):
    client.force_login(salesperson(dealership))
    response = client.get(reverse("accounts:two_factor"))
    assert "<svg" in response.content.decode()
    check(response, "accounts:two_factor")


@pytest.mark.django_db
def test_the_django_admin_has_the_policy_and_no_inline_script(admin_client):
    for url in ("/admin/", "/admin/leads/lead/", "/admin/leads/lead/add/"):
        response = admin_client.get(url)
        assert response.status_code == 200, url
        policy = directives(response["Content-Security-Policy"])
        assert policy["script-src"] == ["'self'"]
        assert not [f for f in inline_code(response.content.decode()) if "script" in f], url
