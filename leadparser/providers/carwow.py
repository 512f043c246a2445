"""carwow (UK, DE, ES): a customer chose the dealer's offer on a deal; the offer price is the
vehicle's price and the lead asks for a quote."""

from __future__ import annotations

from leadparser.providers import vocab
from leadparser.providers.base import Provider

PROVIDERS = (
    Provider(
        key="carwow-uk", name="carwow", domains=("carwow.co.uk",),
        markers=("chosen your offer", "interested in your offer", "deal id"),
        labels=vocab.EN, lead_type="quote",
    ),
    Provider(
        key="carwow-de", name="carwow", domains=("carwow.de",),
        markers=("ihr angebot ausgewahlt", "interesse an ihrem angebot", "deal-id"),
        labels={**vocab.DE, "Deal-ID": vocab.EN["Deal ID"], "Ihr Angebotspreis": "vehicle.price"},
        lead_type="quote",
    ),
    Provider(
        key="carwow-es", name="carwow", domains=("carwow.es",),
        markers=("ha elegido tu oferta", "interesado en tu oferta", "id de la oferta"),
        labels={**vocab.ES, "ID de la oferta": vocab.EN["Deal ID"], "Tu precio": "vehicle.price"},
        lead_type="quote",
    ),
)  # fmt: skip
