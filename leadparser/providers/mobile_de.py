"""mobile.de (Germany): "Kontaktanfrage zu Ihrem Inserat", the vehicle as the ad's title, the
Inserat-Nr. (the portal's number of the ad) apart from the Anfrage-ID (this enquiry's)."""

from __future__ import annotations

import re

from leadparser.providers import vocab
from leadparser.providers.base import Provider

PROVIDERS = (
    Provider(
        key="mobile.de",
        name="mobile.de",
        domains=("mobile.de",),
        markers=(
            "kontaktanfrage zu ihrem inserat",
            "anfrage zu ihrem inserat",
            "inserat-nr",
            "inserat-id",
            "handleranfrage",
        ),
        labels=vocab.DE,
        name_patterns=(re.compile(r"(?im)^\s*Anfrage von:?\s+([^\n<,]{3,60}?)\s*$"),),
    ),
)
