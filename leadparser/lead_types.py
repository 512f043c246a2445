"""Lead type from words in a subject or a "type of request" label."""

from __future__ import annotations

import re

from leadparser.normalize import fold

LEAD_TYPES = (
    "info_request", "test_drive", "appointment", "trade_in", "finance", "quote", "call", "other",
)  # fmt: skip

# Checked in this order: a "test drive appointment" is a test drive, a "quote incl. trade-in" is a
# quote; a trade-in word decides only when nothing else does.
_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    # A missed or tracked call is a call whatever the caller asked about.
    ("call", (
        "gemiste oproep", "gemist gesprek", "oproep gemist", "inkomende oproep",
        "verpasster anruf", "entgangener anruf", "eingehender anruf", "appel manqué",
        "appel entrant", "appel téléphonique", "missed call", "incoming call", "call tracking",
        "phone call", "chiamata persa", "chiamata ricevuta", "llamada perdida",
        "llamada entrante", "chamada perdida", "chamada não atendida", "nieodebrane połączenie",
        "połączenie przychodzące",
    )),
    ("test_drive", (
        "proefrit", "proefritaanvraag", "proefrijden", "essai", "essai routier", "probefahrt",
        "prueba", "prueba de conduccion", "test drive", "test-drive", "testdrive", "testrit",
        "prova su strada", "giro di prova", "prova", "experimentar", "agendar test drive",
        "jazda próbna", "jazdy próbnej", "jazdę próbną",
    )),
    ("appointment", (
        "afspraak", "showroombezoek", "rendez-vous", "rendez vous", "rdv", "termin",
        "terminanfrage", "terminvereinbarung", "cita", "cita previa", "appointment", "showroom visit",
        "appuntamento", "marcação", "agendamento", "spotkanie", "umówienie wizyty",
    )),
    ("call", (
        "terugbelverzoek", "terugbellen", "bel mij terug", "rappel", "etre rappele", "ruckruf",
        "ruckrufbitte", "llamada", "llamame", "callback", "call back", "call me", "richiamata",
        "richiamami", "essere richiamato", "contacto telefónico", "ligar-me", "oddzwonienie",
        "prośba o kontakt telefoniczny",
    )),
    ("finance", (
        "financiering", "financieringsaanvraag", "financement", "credit", "finanzierung",
        "finanzierungsanfrage", "financiacion", "finance", "financing", "lease", "leasing",
        "private lease", "loa", "lld", "finanziamento", "financiamento", "crédito",
        "finansowanie", "kredyt",
    )),
    ("quote", (
        "offerte", "offerteaanvraag", "prijsopgave", "devis", "demande d'offre",
        "demande de prix", "angebot", "preisangebot", "angebotsanfrage",
        "kostenvoranschlag", "presupuesto", "cotizacion", "quote", "quotation", "price request",
        "preventivo", "orçamento", "pedido de proposta", "wycena", "zapytanie ofertowe",
        "best price", "beste prijs", "scherpste prijs", "meilleur prix", "bester preis",
        "besten preis", "mejor precio", "miglior prezzo",
    )),
    ("trade_in", (
        "inruil", "inruilen", "taxatie", "reprise", "estimation reprise", "inzahlungnahme",
        "ankauf", "retoma", "tasacion", "trade-in", "trade in", "part exchange", "sell my car",
        "permuta", "valutazione usato", "avaliação", "w rozliczeniu",
    )),
)  # fmt: skip

# "Anfrage zu Ihrem Angebot" is mobile.de for "about your listing", not a request for a quote.
_LISTING_PHRASES = re.compile(r"\b(?:ihr(?:em|es)?|zum|dem)\s+angebot\b|\bangebot\s+(?:nr|id)\b")
_PATTERNS = tuple(
    (
        kind,
        # "Probefahrt-Anfrage", "Proefrit-aanvraag": a compound's first word still counts, and
        # so it does written as one word ("Inruilaanvraag", "Finanzierungswunsch").
        re.compile(
            r"(?<![\w-])(?:" + "|".join(re.escape(fold(w)) for w in words) + r")"
            r"(?:s?(?:aanvraag|aanvragen|verzoek|voorstel|waarde|anfrage|wunsch))?(?!\w|-\d)"
        ),
    )
    for kind, words in _WORDS
)


def lead_type_from_text(text: str | None, *, allow_trade_in: bool = True) -> str | None:
    """The lead type the words of ``text`` name, or None when they name none."""
    if not text:
        return None
    folded = _LISTING_PHRASES.sub(" ", fold(text))
    stripped = folded.strip().replace("-", "_").replace(" ", "_")
    if stripped in LEAD_TYPES:  # a provider that already speaks our vocabulary
        return stripped
    for kind, pattern in _PATTERNS:
        if kind == "trade_in" and not allow_trade_in:
            continue
        if pattern.search(folded):
            return kind
    return None
