"""Every text the code and the templates show has a Dutch and a French translation: the
catalogue makemessages extracts from the repository today, against the committed .po files
(a missing, empty or fuzzy translation fails, each plural form too). Plurals are real plurals."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest

from tests.firstrun import ROOT
from tests.pofiles import read

LANGUAGES = ("nl", "fr")


def committed(language: str) -> dict:
    entries = {}
    for path in ROOT.glob(f"**/locale/{language}/LC_MESSAGES/django.po"):
        if ".venv" in path.parts:
            continue
        for entry in read(path):
            if entry.translated:
                entries[entry.key] = entry
    return entries


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> list:
    """What makemessages finds in the code now (a copy of the repository without catalogues)."""
    copy = tmp_path_factory.mktemp("messages")
    files = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout.split(b"\0")
    for name in filter(None, (f.decode() for f in files)):
        source = ROOT / name
        if "/locale/" in f"/{name}" or not source.is_file() or source.is_symlink():
            continue
        (copy / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, copy / name)
    (copy / "locale").mkdir()
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "nl",
            "--no-wrap",
            "-v0",
            "--ignore=tests/*",
            "--ignore=bench/*",
            "--ignore=scripts/*",
            "--ignore=.venv/*",
        ],
        cwd=copy,
        env={**os.environ, "DATABASE_URL": f"sqlite:///{copy}/db.sqlite3"},
        check=True,
        capture_output=True,
    )
    entries = read(copy / "locale" / "nl" / "LC_MESSAGES" / "django.po")
    assert len(entries) > 500  # the whole app was read
    return entries


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_text_has_a_translation(extracted, language):
    have = committed(language)
    missing = []
    for entry in extracted:
        found = have.get(entry.key)
        if found is None or (entry.msgid_plural and len(found.msgstr) < 2):
            missing.append(entry.msgid if not entry.msgctxt else f"{entry.msgctxt}|{entry.msgid}")
    assert not missing, f"{len(missing)} without a {language} translation:\n" + "\n".join(missing)


def test_plurals_are_made_with_ngettext_not_by_hand(extracted):
    by_hand = [e.msgid for e in extracted if re.search(r"\w\((s|es|'s)\)", e.msgid)]
    assert not by_hand, by_hand


def test_a_missing_translation_fails_this_test(tmp_path):
    """The reader sees an empty and a fuzzy msgstr as untranslated."""
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Done"\nmsgstr ""\n\n'
        '#, fuzzy\nmsgid "Saved"\nmsgstr "Opgeslagen"\n\n'
        'msgid "%(n)d lead"\nmsgid_plural "%(n)d leads"\nmsgstr[0] "%(n)d lead"\nmsgstr[1] ""\n\n'
        'msgid "Ok"\nmsgstr "Oké"\n',
        encoding="utf-8",
    )
    entries = {e.msgid: e.translated for e in read(po)}
    assert entries == {"Done": False, "Saved": False, "%(n)d lead": False, "Ok": True}


@pytest.mark.django_db
def test_the_pages_a_dutch_manager_reads_have_no_english_left(client):
    """The texts the issue found in English: a timeline line, a quarantine reason, the
    "Dealership:" label, a plural by hand."""
    from django.urls import reverse

    from leads import services
    from tests.factories import DealershipFactory, InboundMessageFactory, LeadFactory, manager
    from tests.factories import salesperson as seller_of

    dealership = DealershipFactory(language="nl")
    boss = manager(dealership, language="nl")
    lead = services.assign_lead(lead=LeadFactory(dealership=dealership), to=seller_of(dealership))
    message = InboundMessageFactory(
        dealership=dealership,
        status="quarantined",
        failure_reason="no lead found: no ADF, JSON or labelled name/e-mail/phone",
    )
    client.force_login(boss)
    detail = client.get(reverse("leads:detail", args=[lead.pk])).content.decode()
    assert not re.search(r"Toegewezen</strong>\s*→ Toegewezen", detail)
    reason = client.get(reverse("inbound:quarantine_detail", args=[message.pk])).content.decode()
    assert "Geen lead gevonden: geen ADF, JSON of gelabelde naam, e-mail of telefoon" in reason
    for url in (reverse("automation:rule_new"), reverse("automation:template_new")):
        html = client.get(url).content.decode()
        assert re.search(r"<label[^>]*>\s*Vestiging", html), url
        assert not re.search(r"<label[^>]*>\s*Dealership", html), url
    html = client.get(reverse("settings:source_new")).content.decode()
    assert not re.search(r"<label[^>]*>\s*Dealership", html)
