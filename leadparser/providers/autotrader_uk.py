"""Auto Trader UK: "You have a new enquiry", with its own Enquiry ID; mileages in miles."""

from __future__ import annotations

import re

from leadparser.providers import vocab
from leadparser.providers.base import Provider

PROVIDERS = (
    Provider(
        key="autotrader-uk",
        name="Auto Trader",
        domains=("autotrader.co.uk",),
        markers=("you have a new enquiry", "new enquiry from auto trader", "enquiry id"),
        labels=vocab.EN,
        id_patterns=(re.compile(r"Enquiry (?:ID|ref(?:erence)?)[:#\s]+([A-Z0-9-]{4,40})", re.I),),
    ),
)
