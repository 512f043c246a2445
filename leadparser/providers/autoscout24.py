"""AutoScout24 in each country it runs: one layout, translated; the portal calls itself
"AutoScout24" everywhere (the site is kept in extra.portal_site). Belgium mails in Dutch or
French from the same domain, so both are tried there."""

from __future__ import annotations

import re

from leadparser.providers import vocab
from leadparser.providers.base import Provider
from leadparser.providers.vocab import IGNORE

_DE = ("anfrage zu ihrem fahrzeug", "kontaktanfrage", "nachricht zu ihrem fahrzeug")
_NL = ("aanvraag voor uw voertuig", "nieuwe aanvraag via autoscout24", "reactie op uw voertuig")
_FR = ("demande concernant votre vehicule", "nouvelle demande via autoscout24")
_IT = ("richiesta per il tuo veicolo", "nuova richiesta da autoscout24")
_ES = ("solicitud sobre tu vehiculo", "nuevo contacto de autoscout24")


def _as24(site: str, lang: str, markers: tuple[str, ...], labels: dict, pattern: str) -> Provider:
    return Provider(
        key=f"autoscout24-{site.rsplit('.', 1)[1]}-{lang}",
        name="AutoScout24",
        domains=(site,),
        markers=markers,
        labels=labels,
        site=site,
        name_patterns=(re.compile(pattern, re.IGNORECASE),),
    )


# Call leads of AutoScout24's CallTracker, for every country from one address
# (no-reply@rtm.autoscout24.com); the subject names the dealer's customer number, the call's
# time and the vehicle: "Knd.-Nr: 12345. Verpasster Anruf um 14:32, BMW X1 (…)".
_CALLS = (
    "verpasster anruf", "angenommener anruf", "gemiste oproep", "aangenomen oproep",
    "een oproep over deze", "appel manque", "appel recu", "richiesta telefonica",
)  # fmt: skip
_CALL_TIME = re.compile(r"(?:\bum|\bop|\bà|\balle)\s+(\d{1,2}[:.h]\d{2})", re.IGNORECASE)
_CALLER = {
    "Anrufer": "customer.phone", "Nummer des Anrufers": "customer.phone",
    "Beller": "customer.phone", "Nummer van de beller": "customer.phone",
    "Appelant": "customer.phone", "Numéro de l'appelant": "customer.phone",
    "Chiamante": "customer.phone", "Numero del chiamante": "customer.phone",
    "Knd.-Nr": IGNORE, "Klantnr": IGNORE, "N° client": IGNORE, "SellID": IGNORE,
    "Anrufdauer": IGNORE, "Gespreksduur": IGNORE, "Durée de l'appel": IGNORE,
}  # fmt: skip

CALL_TRACKER = Provider(
    key="autoscout24-calls",
    name="AutoScout24",
    domains=("autoscout24.com",),
    markers=_CALLS,
    labels={**vocab.DE, **vocab.NL, **vocab.FR, **vocab.IT, **_CALLER},
    lead_type="call",
    extra_patterns=(("call_time", _CALL_TIME),),
)

PROVIDERS = (
    _as24("autoscout24.de", "de", _DE, vocab.DE, r"Anfrage von\s+([^\n<,]{3,60}?)\s*(?:\n|$| zu)"),
    _as24("autoscout24.at", "de", _DE, vocab.DE, r"Anfrage von\s+([^\n<,]{3,60}?)\s*(?:\n|$| zu)"),
    _as24(
        "autoscout24.nl", "nl", _NL, vocab.NL, r"aanvraag van\s+([^\n<,]{3,60}?)\s*(?:\n|$| voor)"
    ),
    _as24(
        "autoscout24.be", "nl", _NL, vocab.NL, r"aanvraag van\s+([^\n<,]{3,60}?)\s*(?:\n|$| voor)"
    ),
    _as24("autoscout24.be", "fr", _FR, vocab.FR, r"demande de\s+([^\n<,]{3,60}?)\s*(?:\n|$| pour)"),
    _as24("autoscout24.fr", "fr", _FR, vocab.FR, r"demande de\s+([^\n<,]{3,60}?)\s*(?:\n|$| pour)"),
    _as24(
        "autoscout24.it", "it", _IT, vocab.IT, r"richiesta da\s+([^\n<,]{3,60}?)\s*(?:\n|$| per)"
    ),
    _as24(
        "autoscout24.es", "es", _ES, vocab.ES, r"contacto de\s+([^\n<,]{3,60}?)\s*(?:\n|$| sobre)"
    ),
    CALL_TRACKER,
)
