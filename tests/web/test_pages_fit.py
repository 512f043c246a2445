"""Every page, as every role sees it, at a phone's 390 px and a laptop's 1366 px: nothing is wider
than the window (document.documentElement.scrollWidth > innerWidth fails), and a screenshot of
each is kept in test-artifacts/pages/ for a person to look at. The demo data, with a customer
whose e-mail address and message are long unbroken strings, fills the pages."""

from __future__ import annotations

import os

import pytest
from django.urls import reverse

from tests.browser import ARTIFACTS, FLAGS, chromium_or_skip

WIDTHS = {"phone": (390, 844), "laptop": (1366, 900)}
ROLES = ("sanne", "bdc", "manager", "admin")
# The element that sticks out furthest, to say what widened the page.
WIDEST = """() => {
  const w = window.innerWidth; let worst = null, right = w;
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.right > right + 1 && r.width > 0) { right = r.right; worst = el; }
  }
  if (!worst) return null;
  return worst.tagName.toLowerCase() + (worst.id ? '#' + worst.id : '') +
    (worst.className && typeof worst.className === 'string' ? '.' + worst.className.split(' ').join('.') : '') +
    ' → ' + Math.round(right) + 'px';
}"""


# A table wider than the scroller it sits in: at 1366 px every figure table should fit.
CLIPPED = """() => {
  const cut = [...document.querySelectorAll('.scroll')].filter(
    (el) => el.scrollWidth > el.clientWidth + 1);
  return cut.length ? cut.map((el) => (el.querySelector('table') || el).dataset.table ||
    el.className).join(', ') : null;
}"""


@pytest.fixture
def demo(transactional_db, settings, tmp_path):
    from appraisals.models import Appraisal
    from automation.models import MessageTemplate, Rule, WhatsAppTemplate
    from dealers.models import Dealership
    from demo.builder import build_demo
    from distribution.models import DistributionRule
    from leads.models import InboundMessage, Lead, Source

    settings.MEDIA_ROOT = tmp_path
    build_demo(leads=60, seed=15)
    doesburg = Dealership.objects.get(slug="doesburg")
    appraisal = Appraisal.objects.filter(lead__dealership=doesburg).select_related("lead").first()
    lead = appraisal.lead
    # The strings that once made a lead page 1.9 million px wide.
    customer = lead.customer
    customer.email = "a.very.long.address." + "x" * 90 + "@example-dealership-customer.nl"
    customer.save()
    Lead.objects.filter(pk=lead.pk).update(comments="Opmerking:" + "ß" * 3000)
    sanne = lead.assigned_to
    from accounts.models import User

    if sanne.username != "sanne":
        Lead.objects.filter(pk=lead.pk).update(assigned_to=User.objects.get(username="sanne"))
    passive = Lead.objects.filter(dealership=doesburg, is_passive=True).first()
    return {
        "home": [],
        "leads:list": [],
        "leads:inbox": [],
        "leads:detail": [lead.pk],
        "leads:edit": [lead.pk],
        "leads:personal_data": [lead.pk],
        "leads:export_log": [],
        "conversations:thread": [
            Lead.objects.filter(dealership=doesburg, customer_waiting_since__isnull=False)
            .first()
            .pk
        ],
        "inbound:quarantine": [],
        "inbound:quarantine_detail": [
            InboundMessage.objects.filter(dealership=doesburg, status="quarantined").first().pk
        ],
        "inbound:source_labels": [Source.objects.filter(dealership=doesburg).first().pk],
        "distribution:queue": [],
        "distribution:bdc": [],
        "distribution:fairness": [],
        "settings:index": [],
        "settings:people": [],
        "settings:person_new": [],
        "settings:person_edit": [sanne.pk],
        "settings:dealership": [doesburg.pk],
        "settings:sources": [],
        "settings:source_new": [],
        "settings:source_edit": [Source.objects.filter(dealership=doesburg).first().pk],
        "settings:distribution": [],
        "settings:distribution_rules": [doesburg.pk],
        "settings:distribution_rule_new": [doesburg.pk],
        "settings:distribution_rule": [
            DistributionRule.objects.filter(dealership=doesburg, is_default=False).first().pk
        ],
        "settings:absences": [],
        "automation:rules": [],
        "automation:rule_new": [],
        "automation:rule_edit": [Rule.objects.filter(dealership=doesburg).first().pk],
        "automation:templates": [],
        "automation:template_new": [],
        "automation:template_edit": [
            MessageTemplate.objects.filter(dealership=doesburg).first().pk
        ],
        "automation:outbox": [],
        "automation:dev_outbox": [],
        "automation:whatsapp": [],
        "automation:whatsapp_template_new": [],
        "automation:whatsapp_template_edit": [
            WhatsAppTemplate.objects.filter(dealership=doesburg).first().pk
        ],
        "notifications:list": [],
        "notifications:preferences": [],
        "accounts:two_factor": [],
        "appraisals:start": [lead.pk],
        "appraisals:detail": [appraisal.pk],
        "appraisals:offer": [appraisal.pk],
        "appraisals:checklist_index": [],
        "appraisals:checklist": [doesburg.pk],
        "dashboards:dashboard": [],
        "dashboards:leads": [],
        "dashboards:targets": [],
        "_passive": passive,
    }


@pytest.mark.e2e
def test_no_page_is_wider_than_the_window_at_390_and_1366_px(live_server, demo):
    from playwright.sync_api import sync_playwright

    executable = chromium_or_skip()
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    pages = {name: reverse(name, args=args) for name, args in demo.items() if name[0] != "_"}
    too_wide, seen = [], {}
    out = ARTIFACTS / "pages"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=executable, args=FLAGS, headless=True)
            for label, (width, height) in WIDTHS.items():
                (out / label).mkdir(parents=True, exist_ok=True)
                for role in ROLES:
                    context = browser.new_context(
                        viewport={"width": width, "height": height}, locale="en-GB"
                    )
                    page = context.new_page()
                    page.set_default_timeout(15_000)
                    page.goto(live_server.url + "/accounts/login/")
                    page.fill("#id_username", role)
                    page.fill("#id_password", "dealerlms")
                    page.click("button[type=submit]")
                    page.wait_for_load_state()
                    for name, path in pages.items():
                        response = page.goto(live_server.url + path)
                        if response is None or response.status != 200:
                            continue  # not this role's page (the role walk tests who gets what)
                        page.wait_for_load_state("networkidle")
                        seen.setdefault(name, set()).add(role)
                        slug = name.replace(":", "-")
                        page.screenshot(
                            path=str(out / label / f"{role}-{slug}.png"), full_page=True
                        )
                        wide = page.evaluate(
                            "() => document.documentElement.scrollWidth > window.innerWidth"
                        )
                        if wide:
                            too_wide.append((label, role, name, page.evaluate(WIDEST)))
                        if label == "laptop":  # a table cut off inside its scroller
                            clipped = page.evaluate(CLIPPED)
                            if clipped:
                                too_wide.append((label, role, name, "clipped: " + clipped))
                        else:  # what a phone shows first, small enough to look at
                            page.screenshot(path=str(out / label / f"{role}-{slug}-top.png"))
                            if name == "dashboards:dashboard":  # cards and chart text up close
                                for part, selector in (
                                    ("kpis", ".kpis"),
                                    ("funnel", ".chart-wrap"),
                                ):
                                    page.locator(selector).first.screenshot(
                                        path=str(out / label / f"{role}-{slug}-{part}.png")
                                    )
                    context.close()
            browser.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    assert not too_wide, "\n".join(map(str, too_wide))
    # Every page was seen by someone, and the managers saw the settings.
    assert set(seen) == set(pages), set(pages) - set(seen)
    assert {"manager", "admin"} <= seen["settings:index"]
    assert "sanne" in seen["leads:detail"] and "bdc" in seen["distribution:bdc"]


@pytest.mark.e2e
def test_the_lead_page_updates_in_place_on_a_phone(live_server, demo):
    """Logging a call swaps the page in place (htmx): no reload, the flash message shown."""
    from playwright.sync_api import sync_playwright

    executable = chromium_or_skip()
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=executable, args=FLAGS, headless=True)
            context = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB")
            page = context.new_page()
            page.set_default_timeout(15_000)
            page.goto(live_server.url + "/accounts/login/")
            page.fill("#id_username", "sanne")
            page.fill("#id_password", "dealerlms")
            page.click("button[type=submit]")
            page.wait_for_load_state()
            url = live_server.url + reverse("leads:detail", args=demo["leads:detail"])
            page.goto(url)
            page.evaluate("() => { window.__notReloaded = true; }")
            assert page.locator("#id_outcome").input_value() == ""  # nothing chosen for you
            page.select_option("#id_outcome", "no_answer")
            events = page.locator(".timeline li").count()
            # Sanne reads Dutch: the form is found by where it posts, not by its words.
            page.click("form[action$='/contact/'] button[type=submit]")
            page.wait_for_selector("#messages li.success")
            assert page.evaluate("() => window.__notReloaded === true")
            assert page.url == url
            assert page.locator("#id_outcome").input_value() == ""  # a fresh form
            assert page.locator(".timeline li").count() == events + 1
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "lead-page-after-logging.png"))
            browser.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
