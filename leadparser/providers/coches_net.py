"""coches.net (ES): "Nuevo contacto" about an ad, with the buyer's name, phone and message."""

from __future__ import annotations

from leadparser.providers import vocab
from leadparser.providers.base import Provider

PROVIDERS = (
    Provider(
        key="coches.net",
        name="coches.net",
        domains=("coches.net",),
        markers=("nuevo contacto", "ha contactado con tu anuncio", "interesado en tu anuncio"),
        labels=vocab.ES,
    ),
)
