"""What every e-mail DealerLMS sends carries, so that it is never read back in as a lead.

A customer's auto-forward, a salesperson's rule or a misconfigured integration can send our own
mail to a dealership's lead inbox; the parser (leadparser.envelope, which reads the same header
name) refuses it as "sent by DealerLMS (mail loop)" instead of making a lead of it.
"""

from __future__ import annotations

LOOP_HEADER = "X-DealerLMS"


def loop_headers(kind: str) -> dict[str, str]:
    """The headers for one outgoing e-mail; ``kind`` says which part of DealerLMS sent it."""
    return {LOOP_HEADER: kind}
