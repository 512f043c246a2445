"""La Centrale (FR): "Un acheteur est intéressé par votre annonce", the Référence annonce being
the ad's number (the lead's external_id only when the mail gives no id of its own)."""

from __future__ import annotations

from leadparser.providers import vocab
from leadparser.providers.base import Provider

PROVIDERS = (
    Provider(
        key="lacentrale",
        name="La Centrale",
        domains=("lacentrale.fr",),
        markers=("un acheteur est interesse", "un internaute est interesse", "reference annonce"),
        labels=vocab.FR,
    ),
)
