"""The bench's e-mail provider: takes each message like a provider's API would and records the
call in Redis: the message's uid (from its Message-ID) appended to a list, one entry per call.
The bench maps the uids to their scheduled actions afterwards: an action with two calls is a
duplicate, an action with none a miss."""

from __future__ import annotations

import os

import redis
from django.core.mail.backends.base import BaseEmailBackend

PREFIX = os.environ.get("AUTOMATION_BENCH_PREFIX", "automation-bench")


def client() -> redis.Redis:
    return redis.Redis.from_url(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))


class EmailBackend(BaseEmailBackend):
    """Like an SMTP connection: messages are taken one by one, the session ends at close()
    (the dispatcher opens one per batch), when the calls are written to Redis in one round
    trip. Sending with fail_silently=False and no close() would lose the records: the dispatcher
    always closes (channels.EmailSender.close, in a finally)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.redis = client()
        self.taken: list[str] = []

    def send_messages(self, email_messages) -> int:
        for message in email_messages:
            message.message()  # build the MIME message, as a real backend must
            self.taken.append(message.extra_headers.get("Message-ID", "").strip("<>").split("@")[0])
        return len(email_messages)

    def close(self) -> None:
        if self.taken:
            self.redis.rpush(f"{PREFIX}:calls", *self.taken)
            self.taken = []
