"""GDPR erasure reaches every table and file that holds the person, and every model of the project
is declared as holding their data (and how it is erased) or as holding none."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models
from django.urls import reverse

from calls.models import Call
from followup.models import Task
from leads import privacy, services
from leads.models import Customer, ErasureRecord, Lead
from tests.factories import LeadFactory, manager
from tests.privacy_world import EMAIL, FIRST, LAST, NEEDLES, PHONE, populated_person

# The project's own apps: those whose code sits in this repository, not in site-packages.
PROJECT_APPS = [
    c
    for c in apps.get_app_configs()
    if Path(c.path).is_relative_to(settings.BASE_DIR) and "site-packages" not in Path(c.path).parts
]


def test_every_model_of_the_project_declares_where_it_holds_personal_data():
    models_ = [m for config in PROJECT_APPS for m in config.get_models()]
    undeclared = [
        m._meta.label for m in models_ if m not in privacy.REGISTRY and m not in privacy.HOLDS_NONE
    ]
    assert not undeclared, (
        "declare these in their app's privacy.py (leads.privacy.register or holds_none): "
        f"{undeclared}"
    )
    both = set(privacy.REGISTRY) & set(privacy.HOLDS_NONE)
    assert not both, f"declared both ways: {both}"
    for entry in privacy.REGISTRY.values():
        for name in entry.fields:
            entry.model._meta.get_field(name)  # raises for a field that does not exist
        assert entry.fields or entry.delete_rows, entry.label


def _found_anywhere(needles: tuple[str, ...], skip: set[int]) -> list[str]:
    """Every text, JSON and binary column of every table (Django's own too) searched."""
    found = []
    for model in apps.get_models():
        columns = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(
                f,
                (
                    models.CharField,
                    models.TextField,
                    models.JSONField,
                    models.BinaryField,
                    models.FileField,
                ),
            )
        ]
        if not columns:
            continue
        for row in model._base_manager.values_list("pk", *columns):
            if model is Customer and row[0] in skip:
                continue
            for column, value in zip(columns, row[1:], strict=True):
                if isinstance(value, (bytes, memoryview)):
                    text = bytes(value).decode("utf-8", errors="replace")
                elif isinstance(value, (dict, list)):
                    text = json.dumps(value, ensure_ascii=False)
                else:
                    text = str(value or "")
                found += [
                    f"{model._meta.label}.{column} #{row[0]}: {n}"
                    for n in needles
                    if n.lower() in text.lower()
                ]
    return found


@pytest.mark.django_db(transaction=True)
def test_an_erased_person_is_found_in_no_table_and_no_file(client, tmp_path, settings, twilio):
    world = populated_person(tmp_path, settings)
    stranger = world["stranger"]
    assert _found_anywhere(NEEDLES, skip={stranger.pk})  # the search finds them before
    photo_file = Path(world["photo"].file.path)
    assert photo_file.exists() and world["message_file"].exists()

    client.force_login(world["boss"])
    answer = client.post(reverse("leads:erase_customer", args=[world["lead"].pk]))
    assert answer.status_code == 302

    assert _found_anywhere(NEEDLES, skip={stranger.pk}) == []
    assert not photo_file.exists() and not world["message_file"].exists()
    media = [p for p in Path(tmp_path).rglob("*") if p.is_file()]
    for path in media:
        content = path.read_bytes().lower()
        assert not any(n.lower().encode() in content for n in NEEDLES), path
    for record in (world["customer"], world["duplicate"]):
        record.refresh_from_db()
        assert record.erased_at and record.full_name.startswith("(erased")
    # Others' data stays: another group's customer, a bystander's lead, the leads as counts.
    stranger.refresh_from_db()
    assert stranger.erased_at is None and stranger.email == EMAIL
    world["bystander"].refresh_from_db()
    assert world["bystander"].comments == "Bel Anneke na vijf"
    assert Lead.all_objects.filter(customer=world["customer"]).count() == 1
    assert Call.objects.count() == 2 and Task.objects.count() == 1
    # The audit entry: who, why and how much, no personal data (the search above covers it).
    record = ErasureRecord.objects.get()
    assert record.by == world["boss"] and record.reason == "request"
    assert set(record.customer_ids) == {world["customer"].pk, world["duplicate"].pk}
    assert record.counts["appraisals.AppraisalPhoto"] == 1
    assert record.counts["calls.Call"] == 2
    # The recording itself, held at Twilio, is deleted there once the erasure is kept.
    assert any("/Recordings/RE0123456789" in c["url"] for c in twilio.calls), twilio.calls


@pytest.mark.django_db
def test_erasing_twice_changes_nothing_the_second_time(dealership):
    boss = manager(dealership)
    lead = LeadFactory(dealership=dealership)
    services.erase_customer(customer=lead.customer, by=boss)
    services.erase_customer(customer=lead.customer, by=boss)
    assert ErasureRecord.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_failed_erasure_leaves_the_photos(tmp_path, settings, monkeypatch):
    """Files go only when the erasure commits: a failure half-way keeps both rows and files."""
    world = populated_person(tmp_path, settings)
    photo_file = Path(world["photo"].file.path)

    def boom(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(ErasureRecord.objects, "create", boom)
    with pytest.raises(RuntimeError):
        services.erase_customer(customer=world["customer"], by=world["boss"])
    assert photo_file.exists()
    world["customer"].refresh_from_db()
    assert world["customer"].erased_at is None and world["customer"].email == EMAIL


def test_scrub_replaces_every_form_of_the_phone_number():
    person = privacy.Person((1,), (EMAIL,), (PHONE,), (f"{FIRST} {LAST}", FIRST, LAST))
    text = f"{FIRST} {LAST} ({EMAIL}) belt van 0687654321 of {PHONE}"
    assert not any(n in privacy.scrub_text(text, person.tokens) for n in NEEDLES)
    assert privacy.scrub_json({"a": [text], "n": 3}, person.tokens)["n"] == 3
