"""The definitions (dashboards.definitions) on the hand-built March data set, lead by lead, and the
milestones leads.services keeps on the lead for them."""

import pytest
from django.db import connection

from dashboards import definitions
from dashboards.selectors import grouped, percentile_cont
from leads import services
from leads.lifecycle import LostReason, Status
from leads.models import ContactChannel, ContactOutcome, Lead
from tests import dashboard_dataset
from tests.factories import LeadFactory


@pytest.fixture
def data(db, settings):
    return dashboard_dataset.build(settings)


def march(data):
    return Lead.objects.filter(pk__in=[data.leads[n].pk for n in range(1, 11)])


EXPECTED = {
    "leads": set(range(1, 11)),
    "contacted": {1, 2, 3, 5, 6, 8},  # reached by a call; 9 never answered
    "appointment": {1, 3, 5, 6},  # 3 via a status change, the others via set_appointment
    "showed": {1, 5, 6},  # 6 went from appointment straight to sold; 3 never came
    "sold": {1, 6, 8},
    "lost": {2, 3, 5},  # 9 is unreachable, not lost
    "waiting": {4, 7, 10},  # open and nobody tried; 9 was tried, then closed
    "attempted": {1, 2, 3, 5, 6, 8, 9},
    "within_5_min": {1, 5, 8, 9},  # first attempts after 3, 2, 1 and 4 minutes
    "within_1_hour": {1, 2, 3, 5, 8, 9},  # + 10 and 30 minutes; 6 took 90 minutes
}


def test_each_definition_picks_exactly_these_leads(data):
    assert set(definitions.FIGURES) == set(EXPECTED)
    for figure, expected in EXPECTED.items():
        found = data.numbers(march(data).filter(definitions.FIGURES[figure]))
        assert found == expected, figure


def test_a_lead_that_showed_and_was_lost_keeps_its_milestones(data):
    five = data.leads[5]
    assert five.status == Status.LOST
    assert five.appointment_set_at and five.showed_at and five.first_contact_at


def test_attempts_until_contact_count_up_to_the_reaching_call(data):
    attempts = {n: data.leads[n].attempts_until_contact for n in (1, 2, 3, 5, 6, 8, 9, 4)}
    # 2 and 5 needed a second call; 9 was tried once and never reached; 4 was never tried.
    assert attempts == {1: 1, 2: 2, 3: 1, 5: 2, 6: 1, 8: 1, 9: 1, 4: 0}


def test_calls_after_the_first_contact_do_not_count(dealership, seller):
    lead = services.assign_lead(lead=LeadFactory(dealership=dealership), to=seller)
    for outcome in (ContactOutcome.NO_ANSWER, ContactOutcome.REACHED, ContactOutcome.NO_ANSWER):
        lead = services.log_contact_attempt(
            lead=lead, channel=ContactChannel.PHONE, outcome=outcome, by=seller
        )
    assert lead.attempts_until_contact == 2 and lead.events.count() == 5


def test_reaching_a_closed_lead_is_still_its_first_contact(dealership, seller):
    # A lead lost without contact that the customer later answers: it was contacted.
    lead = services.assign_lead(lead=LeadFactory(dealership=dealership), to=seller)
    lead = services.change_status(lead=lead, to=Status.LOST, lost_reason=LostReason.SPAM)
    lead = services.log_contact_attempt(
        lead=lead, channel=ContactChannel.EMAIL, outcome=ContactOutcome.REACHED, by=seller
    )
    assert lead.status == Status.LOST and lead.first_contact_at is not None


def test_an_appointment_moved_twice_is_set_once(dealership, seller):
    lead = services.assign_lead(lead=LeadFactory(dealership=dealership), to=seller)
    lead = services.change_status(lead=lead, to=Status.APPOINTMENT)
    first = lead.appointment_set_at
    lead = services.change_status(lead=lead, to=Status.CONTACTED)
    lead = services.change_status(lead=lead, to=Status.APPOINTMENT)
    assert lead.appointment_set_at == first and lead.showed_at is None


def test_percentile_cont_interpolates_like_postgres():
    # Seven response times (the March data set): the median is the 4th; the 90th percentile lies
    # 0.4 of the way from the 6th (1800 s) to the 7th (5400 s): 1800 + 0.4 × 3600 = 3240 s.
    values = [600, 60, 5400, 120, 1800, 180, 240]
    assert percentile_cont(values, 0.5) == 240
    assert percentile_cont(values, 0.9) == pytest.approx(3240)
    assert percentile_cont([120, 5400], 0.5) == 2760  # even count: the mean of the two
    assert percentile_cont([], 0.5) is None


def test_the_database_and_python_percentiles_agree(data, monkeypatch):
    """Both code paths on the same data: percentile_cont in SQL on PostgreSQL, Python otherwise."""
    by_source = {
        r["source"]: (r["p50"], r["p90"])
        for r in grouped(march(data), {"source": "source_id"}, percentiles=True)
    }
    # Portal 3, 10, 30 min; website 2 min, 90 min; phone 1, 4 min (in seconds):
    assert by_source[data.portal.pk] == pytest.approx((600, 600 + 0.8 * 1200))
    assert by_source[data.website.pk] == pytest.approx((2760, 120 + 0.9 * 5280))
    assert by_source[data.phone.pk] == pytest.approx((150, 60 + 0.9 * 180))
    other_vendor = "sqlite" if connection.vendor == "postgresql" else "postgresql"
    if other_vendor == "sqlite":  # exercise the Python path on PostgreSQL too
        monkeypatch.setattr(connection, "vendor", "sqlite")
        again = {
            r["source"]: (r["p50"], r["p90"])
            for r in grouped(march(data), {"source": "source_id"}, percentiles=True)
        }
        for source, values in by_source.items():
            assert again[source] == pytest.approx(values)


def test_the_migration_fills_the_milestones_of_existing_leads_from_their_timelines(data):
    """Leads recorded before the milestone columns existed get them from their events."""
    import importlib

    from django.apps import apps

    backfill = importlib.import_module("leads.migrations.0003_lead_milestones").backfill
    expected = {
        n: (bool(lead.appointment_set_at), bool(lead.showed_at), lead.attempts_until_contact)
        for n, lead in data.leads.items()
    }
    Lead.all_objects.update(appointment_set_at=None, showed_at=None, attempts_until_contact=0)
    backfill(apps, None)
    found = {
        n: (bool(lead.appointment_set_at), bool(lead.showed_at), lead.attempts_until_contact)
        for n, lead in ((n, Lead.all_objects.get(pk=lead.pk)) for n, lead in data.leads.items())
    }
    assert found == expected


def test_the_readme_states_the_definitions_as_the_code_does():
    """Written once: the README's section is the docstring of dashboards.definitions, word for
    word, so the two cannot drift apart."""
    from pathlib import Path

    from dashboards import definitions

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## What the dashboard figures mean", 1)[1].split("\n## ", 1)[0]
    doc = definitions.__doc__.split("\n\n", 1)[1]  # after its first sentence (about the code)
    assert " ".join(doc.split()) in " ".join(section.split())
