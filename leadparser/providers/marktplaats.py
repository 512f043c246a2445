"""Marktplaats (NL) and its Belgian twin 2dehands (Dutch) / 2ememain (French): a buyer's reaction
to an ad, "Reactie op uw advertentie", relayed from the portal with the buyer's own words."""

from __future__ import annotations

import re

from leadparser.providers import vocab
from leadparser.providers.base import Provider

_NL_MARKERS = ("reactie op uw advertentie", "reactie op je advertentie", "heeft gereageerd op")
_NAME_NL = re.compile(r"(?im)^\s*([^\n<,:]{3,60}?) heeft (?:gereageerd|een bericht gestuurd)")
_FR_MARKERS = ("reponse a votre annonce", "a repondu a votre annonce", "nouveau message pour")
_NAME_FR = re.compile(r"(?im)^\s*([^\n<,:]{3,60}?) a (?:repondu|répondu) à votre annonce")

PROVIDERS = (
    Provider(
        key="marktplaats", name="Marktplaats", domains=("marktplaats.nl", "marktplaats.com"),
        markers=_NL_MARKERS, labels=vocab.NL, name_patterns=(_NAME_NL,),
    ),
    Provider(
        key="2dehands", name="2dehands", domains=("2dehands.be",),
        markers=_NL_MARKERS, labels=vocab.NL, name_patterns=(_NAME_NL,),
    ),
    Provider(
        key="2ememain", name="2ememain", domains=("2ememain.be",),
        markers=_FR_MARKERS, labels=vocab.FR, name_patterns=(_NAME_FR,),
    ),
)  # fmt: skip
