"""In a real browser (phone-sized), under the real Content-Security-Policy: the behaviour that once
lived in inline scripts works from static/js/app.js (the menu, the language, the outbox filter,
questions before erasing, printing an offer, the rule form's template choices), the browser
reports no blocked script or style, and two-factor login is set up and used as a person would."""

from __future__ import annotations

import re
from base64 import b32decode

import pytest
from django.urls import reverse
from django_otp.oath import totp

from appraisals import services as appraisals
from leads import services
from tests.automation_helpers import template
from tests.browser import browser_page, login, shot  # noqa: F401 — the fixture
from tests.factories import CustomerPhoneFactory, LeadFactory, manager, salesperson


@pytest.fixture
def shop(transactional_db):
    from tests.factories import DealershipFactory

    dealership = DealershipFactory(name="Ligier Store Doesburg", language="en")
    boss = manager(dealership, username="marco", first_name="Marco", language="")
    seller = salesperson(dealership, username="sanne", first_name="Sanne", language="en")
    lead = LeadFactory(dealership=dealership, customer__full_name="Fatima el Amrani")
    CustomerPhoneFactory(customer=lead.customer, number="+31648765432")
    services.assign_lead(lead=lead, to=seller)
    return {"dealership": dealership, "boss": boss, "seller": seller, "lead": lead}


def watch_for_violations(page) -> list[str]:
    """What the browser refused under the policy (console errors and violation events)."""
    refused: list[str] = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return refused


def test_the_phone_menu_is_folded_before_the_script_has_run(browser_page, shop):  # noqa: F811
    """app.js is deferred (no inline script may set a class in the head): the menu must be folded
    from the first paint all the same, not open until the script arrives. Here the script is
    held back entirely."""
    page = browser_page
    login(page, "marco")
    page.wait_for_selector("h1")
    page.route("**/app*.js", lambda route: route.abort())
    page.reload()
    page.wait_for_selector("h1")
    assert not page.evaluate("document.documentElement.classList.contains('js')")
    assert not page.locator("#main-nav").is_visible()
    assert page.locator(".menu-toggle").is_visible()


def test_the_pages_scripts_work_under_the_policy(browser_page, shop):  # noqa: F811
    page = browser_page
    refused = watch_for_violations(page)
    login(page, "marco")
    page.wait_for_selector("h1")
    assert page.evaluate("document.documentElement.classList.contains('js')")

    # The navigation folds behind the Menu button on a phone.
    nav, toggle = page.locator("#main-nav"), page.locator(".menu-toggle")
    assert not nav.is_visible()
    toggle.click()
    assert nav.is_visible() and toggle.get_attribute("aria-expanded") == "true"
    shot(page, "menu-open-under-csp")
    toggle.click()
    assert not nav.is_visible() and toggle.get_attribute("aria-expanded") == "false"

    # Choosing a language sends the form by itself.
    with page.expect_navigation():
        page.select_option("#lang", "nl")
    assert page.locator("html").get_attribute("lang") == "nl"
    with page.expect_navigation():
        page.select_option("#lang", "en")
    assert page.locator("html").get_attribute("lang") == "en"

    # The outbox's state filter too.
    page.goto(page.base_url + reverse("automation:outbox"))
    with page.expect_navigation():
        page.select_option("#state", "sent")
    assert "state=sent" in page.url

    # Erasing a customer asks first; saying no keeps everything.
    page.goto(page.base_url + reverse("leads:detail", args=[shop["lead"].pk]))
    questions: list[str] = []

    def answer(dialog) -> None:
        questions.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", answer)
    page.get_by_text("Delete or erase").click()
    page.get_by_role("button", name="Erase the customer's personal data (GDPR)").click()
    page.wait_for_timeout(300)
    assert questions and "cannot be undone" in questions[0]
    shop["lead"].customer.refresh_from_db()
    assert shop["lead"].customer.erased_at is None
    assert page.url.endswith(reverse("leads:detail", args=[shop["lead"].pk]))

    # The printable offer prints from its button.
    appraisal = appraisals.start_appraisal(
        lead=shop["lead"], by=shop["boss"], vehicle={"make": "Ligier", "model": "JS50"}
    )
    page.goto(page.base_url + reverse("appraisals:offer", args=[appraisal.pk]))
    page.evaluate("window.print = () => { window.printed = true; }")
    page.get_by_role("button", name="Print").click()
    assert page.evaluate("window.printed === true")

    # The rule form offers staff-only templates only when no customer receives the message.
    nudge = template(shop["dealership"], body_en="Hi {{ recipient_name }}, see {{ lead_url }}")
    page.goto(page.base_url + reverse("automation:rule_new"))
    option = page.locator(f'select[name=template] option[value="{nudge.pk}"]')
    customer = page.locator("input[name=to_customer]")
    if not customer.is_checked():
        customer.check()
    assert option.evaluate("o => o.hidden && o.disabled")
    customer.uncheck()
    assert option.evaluate("o => !o.hidden && !o.disabled")

    assert not refused, refused


def test_two_factor_login_set_up_and_used_on_a_phone(browser_page, shop):  # noqa: F811
    page = browser_page
    refused = watch_for_violations(page)
    login(page, "sanne")
    page.wait_for_selector("h1")
    page.goto(page.base_url + reverse("accounts:two_factor"))
    assert page.locator("figure.qr-code svg").is_visible()
    shot(page, "two-factor-setup")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    key = b32decode(page.locator("code.secret").inner_text().replace(" ", ""))
    page.fill("#id_code", f"{totp(key):06d}")
    page.get_by_role("button", name="Turn on").click()
    page.wait_for_selector("text=Backup codes")
    codes = page.locator(".backup-codes code").all_inner_texts()
    assert len(codes) == 10 and all(re.fullmatch(r"[a-z2-7]{8}", c) for c in codes)
    shot(page, "two-factor-backup-codes")

    page.get_by_role("button", name=re.compile("Log out")).click()
    login(page, "sanne")
    page.wait_for_selector("text=authenticator app")
    assert page.url.endswith(reverse("login_code"))
    shot(page, "two-factor-login-code")
    # The code of the next period (the current one was used to set it up).
    page.fill("#id_code", f"{totp(key, t0=-30):06d}")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_selector("text=Fatima el Amrani")
    assert page.url.endswith(reverse("leads:inbox"))

    page.goto(page.base_url + reverse("accounts:two_factor"))
    page.get_by_role("button", name="Log out everywhere else").click()
    page.wait_for_selector("text=You are logged out everywhere else.")
    shot(page, "two-factor-on-log-out-elsewhere")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert not refused, refused
