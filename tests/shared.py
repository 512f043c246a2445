"""The sample lead messages the tests read: copied from the project's shared/ material into the
repository (tests/samples/leads), so that a fresh clone needs nothing beside it."""

from __future__ import annotations

from pathlib import Path

SAMPLES = Path(__file__).resolve().parent / "samples" / "leads"
LEAD_SCHEMA = Path(__file__).resolve().parent / "samples" / "contracts" / "lead.schema.json"
