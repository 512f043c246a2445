"""leboncoin (FR): a buyer's message "à propos de votre annonce", relayed by the portal."""

from __future__ import annotations

import re

from leadparser.providers import vocab
from leadparser.providers.base import Provider

PROVIDERS = (
    Provider(
        key="leboncoin",
        name="leboncoin",
        domains=("leboncoin.fr",),
        markers=("a propos de votre annonce", "nouveau message", "vous a envoye un message"),
        labels=vocab.FR,
        name_patterns=(re.compile(r"(?im)^\s*([^\n<,:]{3,60}?) vous a envoyé un message"),),
    ),
)
