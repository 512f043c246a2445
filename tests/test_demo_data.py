import pytest

from accounts.models import Role
from demo.builder import build_demo
from leads.lifecycle import Status
from leads.models import Lead, LeadEvent, Source


@pytest.mark.django_db
def test_demo_data_looks_like_a_real_group():
    result = build_demo(leads=160, seed=7)
    assert result["leads"] == 160
    assert set(Lead.objects.values_list("status", flat=True)) == set(Status.values)
    assert {"AutoScout24", "Marktplaats", "La Centrale", "leboncoin"} <= set(
        Source.objects.values_list("name", flat=True)
    )
    assert {Source.Kind.WEBSITE, Source.Kind.IMPORTER, Source.Kind.PHONE} <= set(
        Source.objects.values_list("kind", flat=True)
    )
    from accounts.models import Membership

    roles = Membership.objects.values_list("role", flat=True)
    assert len({m.user_id for m in Membership.objects.filter(role=Role.SALESPERSON)}) == 5
    assert {Role.MANAGER, Role.BDC_AGENT, Role.ADMIN} <= set(roles)
    # Every lead's timeline starts with its creation, and every status change is on it.
    assert LeadEvent.objects.filter(kind="created").count() == 160
    sold = Lead.objects.filter(status=Status.SOLD).first()
    assert sold.events.filter(kind="status_changed", status_to=Status.SOLD).count() == 1
    from dashboards.models import Target

    assert Target.objects.filter(dealership__slug="doesburg").count() == 1  # over the defaults
    assert build_demo(leads=160, seed=7)["leads"] == 0  # running it twice adds nothing
