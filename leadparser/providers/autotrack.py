"""AutoTrack (NL): "Nieuwe aanvraag via AutoTrack", a table of the car and the interested party."""

from __future__ import annotations

from leadparser.providers import vocab
from leadparser.providers.base import Provider

PROVIDERS = (
    Provider(
        key="autotrack",
        name="AutoTrack",
        domains=("autotrack.nl",),
        markers=("aanvraag via autotrack", "lead via autotrack", "geinteresseerde in uw"),
        labels=vocab.NL,
    ),
)
