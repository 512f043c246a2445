"""Raw inbound messages kept as files: a message over DEALERLMS_INBOUND_INLINE_BYTES (an e-mail
with a brochure or photos, up to the webhook's 60 MB) goes to the default storage instead of its
database row, written before the row is inserted (the raw message is stored before anything
else). Why a file and not a row: a 41 MB bytea costs the web worker three copies to insert
(escaped into the statement) and the parse worker three to read, and every backup carries it.

One file belongs to one row: its name is the month it arrived, the SHA-256 of its bytes and a
digest of the row's delivery key (`InboundMessage.dedup_key`), so that a retry of the same
delivery finds the file already there and writes nothing, and erasing one dealership's copy of
a message never removes another's (one portal e-mail sent to two dealerships is two rows).
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from leads.models import InboundMessage

_CHUNK = 1 << 20


def storage():
    return InboundMessage._meta.get_field("raw_file").storage


def file_name(raw: bytes, *, key: str, at: datetime) -> str:
    digest = hashlib.sha256(raw).hexdigest()
    owner = hashlib.sha256(key.encode()).hexdigest()[:16]
    return f"inbound/{at:%Y}/{at:%m}/{digest}-{owner}.eml"


def keep(raw: bytes, *, key: str, at: datetime) -> str:
    """Write the message (unless this delivery's file is already there, whole) and return the
    name its row refers to."""
    name = file_name(raw, key=key, at=at)
    files = storage()
    if files.exists(name) and _holds(name, raw):
        return name
    # Not there, or a write cut short (a crash half-way): a new file, under a free name.
    return files.save(name, ContentFile(raw))


def _holds(name: str, raw: bytes) -> bool:
    files = storage()
    if files.size(name) != len(raw):
        return False
    digest = hashlib.sha256()
    with files.open(name, "rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest.digest() == hashlib.sha256(raw).digest()


def discard(names: list[str]) -> None:
    """Delete files no row refers to any longer (after an erasure, or a retry's spare copy)."""
    files = storage()
    referred = set(
        InboundMessage.objects.filter(raw_file__in=[n for n in names if n]).values_list(
            "raw_file", flat=True
        )
    )
    for name in names:
        if name and name not in referred:
            files.delete(name)


def sweep_unreferenced(*, older_than: timedelta = timedelta(days=1)) -> int:
    """Files no row refers to: a process that died between writing the file and inserting its
    row, with no provider retry to claim it. They hold personal data nobody can erase from the
    app, so they go; a file younger than `older_than` may still be waiting for its row. Returns
    how many were deleted."""
    files = storage()
    cutoff = timezone.now() - older_than
    deleted = 0
    for name in _names(files, "inbound"):
        if files.get_modified_time(name) >= cutoff:
            continue
        if not InboundMessage.objects.filter(raw_file=name).exists():
            files.delete(name)
            deleted += 1
    return deleted


def _names(files, folder: str):
    try:
        folders, names = files.listdir(folder)
    except FileNotFoundError:
        return
    for name in names:
        yield f"{folder}/{name}"
    for sub in folders:
        yield from _names(files, f"{folder}/{sub}")
