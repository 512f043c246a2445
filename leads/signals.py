"""What the leads app announces. distribution and automation listen; leads never imports them.

`lead_event_recorded` is sent inside the transaction that wrote the event: receivers that start
work elsewhere (Celery) must do so with transaction.on_commit.
"""

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.dispatch import Signal

lead_event_recorded = Signal()  # kwargs: event (LeadEvent)

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


def announce(event: object) -> None:
    if not getattr(_paused, "value", False):
        lead_event_recorded.send(sender=type(event), event=event)
