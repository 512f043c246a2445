"""What the leads app announces. distribution and automation listen; leads never imports them.

`lead_events_recorded` is sent inside the transaction that wrote the events, once per write —
one event (a status change) or many (a batch of inbound leads, a batch of sent messages), so a
receiver can react to a batch with one query and one Celery job instead of one per event.
Receivers that start work elsewhere (Celery) must do so with transaction.on_commit.
"""

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from django.dispatch import Signal

lead_events_recorded = Signal()  # kwargs: events (a non-empty list of LeadEvent)

_paused = threading.local()


@contextmanager
def announcements_paused() -> Iterator[None]:
    """Write history without reacting to it: demo data and imports of past leads use this, so
    that distribution and automation do not act on events that happened weeks ago."""
    previous = getattr(_paused, "value", False)
    _paused.value = True
    try:
        yield
    finally:
        _paused.value = previous


def announce(events: Sequence[object]) -> None:
    if events and not getattr(_paused, "value", False):
        lead_events_recorded.send(sender=type(events[0]), events=list(events))
