"""One ordered registry of small parsers (leads/parsing/registry.py): each is tried in turn, the
first lead with a customer contact wins, and adding a parser is one line."""

from __future__ import annotations

import pytest

from leadparser import MalformedInput, NoLeadFound, adf, json_lead, labels, parse_message, providers
from leadparser import registry as registry_module
from leadparser.builder import LeadBuilder

ADF_AND_LABELS = b"""From: Portal <leads@portal.example>
Subject: Aanvraag
Content-Type: multipart/mixed; boundary="b"

--b
Content-Type: text/plain; charset=utf-8

Naam: Label Persoon
E-mail: label@example.nl
--b
Content-Type: application/xml; name="lead.xml"
Content-Disposition: attachment; filename="lead.xml"

<?xml version="1.0"?><adf><prospect><customer><contact><name part="full">Adf Persoon</name>
<email>adf@example.nl</email></contact></customer></prospect></adf>
--b--
"""


def test_the_order_is_provider_templates_then_adf_then_json_then_labels():
    assert [providers.parse, adf.parse, json_lead.parse, labels.parse] == registry_module.PARSERS


def test_the_first_parser_with_a_lead_wins():
    lead = parse_message(ADF_AND_LABELS)
    assert (lead["format"], lead["customer"]["full_name"]) == ("adf", "Adf Persoon")


def test_a_parser_added_to_the_registry_is_tried_in_its_turn(monkeypatch):
    tried = []

    def pigeon_post(message) -> LeadBuilder | None:
        tried.append(message)
        if b"PIGEON" not in (message.texts[0].encode() if message.texts else b""):
            return None
        builder = LeadBuilder("text")
        builder.set("customer.full_name", "Duif Post")
        builder.set("customer.email", "duif@example.nl")
        return builder

    monkeypatch.setattr(registry_module, "PARSERS", [*registry_module.PARSERS[:2], pigeon_post])
    raw = b"From: a@b.example\nSubject: x\n\nPIGEON says hello"
    assert parse_message(raw)["customer"]["full_name"] == "Duif Post"
    assert tried
    with pytest.raises(NoLeadFound):
        parse_message(b"From: a@b.example\nSubject: x\n\nNaam: Jan\nE-mail: jan@example.nl")


def test_a_malformed_result_lets_the_next_parser_try(monkeypatch):
    def broken(message):
        raise MalformedInput("malformed XML (line 1)")

    monkeypatch.setattr(registry_module, "PARSERS", [broken, labels.parse])
    lead = parse_message(
        b"From: a@b.example\nSubject: x\n\nNaam: Jan Jansen\nE-mail: jan@example.nl"
    )
    assert lead["customer"]["full_name"] == "Jan Jansen"
    monkeypatch.setattr(registry_module, "PARSERS", [broken])
    with pytest.raises(MalformedInput):
        parse_message(b"From: a@b.example\nSubject: x\n\nNaam: Jan Jansen")
