"""The README as a newcomer reads it: its first screen has the commands, every path and link it
names exists in the repository (none outside it), and the benchmark diary lives in docs/."""

from __future__ import annotations

import os
import re

from tests.firstrun import ROOT

README = (ROOT / "README.md").read_text()
FOLDERS = [
    "core",
    "leadparser",
    "inbound",
    "leads",
    "distribution",
    "automation",
    "dashboards",
    "appraisals",
    "accounts",
    "dealers",
]


def test_the_first_screen_has_the_two_commands_and_the_demo_lead():
    first_screen = "\n".join(README.splitlines()[:25])
    for command in ("scripts/run", "scripts/test", "scripts/send-demo-lead"):
        assert command in first_screen
        assert os.access(ROOT / command, os.X_OK), command
    assert "http://127.0.0.1:8000/" in first_screen and "dealerlms" in first_screen


def test_nothing_points_outside_the_repository():
    for doc in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        assert "../shared" not in doc.read_text(), doc


def test_every_path_and_link_named_exists():
    for doc in [ROOT / "README.md", ROOT / "docs" / "architecture.md"]:
        text = doc.read_text()
        base = doc.parent
        for target in re.findall(r"\]\(([^)#]+)", text):
            if not target.startswith("http"):
                assert (base / target).exists(), (doc.name, target)
        for path in re.findall(r"`([a-z_]+/[\w/.-]*\.(?:py|md|html))", text):
            assert (ROOT / path).exists() or (ROOT / path.split("/")[0]).is_dir(), path
            if "/" in path and not path.startswith(("templates/", "docs/")):
                assert (ROOT / path).exists(), (doc.name, path)


def test_the_map_covers_the_layout():
    table = README.split("## Where things are", 1)[1].split("\n## ", 1)[0]
    for folder in FOLDERS:
        assert f"| `{folder}/` |" in table, folder
        assert (ROOT / folder).is_dir()
    assert "docs/architecture.md" in table


def test_the_benchmark_diary_is_in_docs():
    assert not re.search(r"\bp99\b|\d (?:messages|leads)/s\b", README)
    diary = (ROOT / "docs" / "benchmarks.md").read_text()
    for bench in ("automation_bench.py", "distribution_bench.py", "dashboard_bench.py"):
        assert bench in diary
