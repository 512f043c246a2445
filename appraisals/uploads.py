"""What a photo upload really is, judged by its first bytes: the name and the browser's content
type are whatever the sender says, so neither is trusted."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
DEFAULT_MAX_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class ImageType:
    content_type: str
    extension: str


JPEG = ImageType("image/jpeg", ".jpg")
PNG = ImageType("image/png", ".png")
WEBP = ImageType("image/webp", ".webp")
HEIC = ImageType("image/heic", ".heic")


def sniff(head: bytes) -> ImageType | None:
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head[4:8] == b"ftyp" and head[8:12] in HEIF_BRANDS:
        return HEIC
    return None


def max_photo_bytes() -> int:
    return int(getattr(settings, "APPRAISAL_PHOTO_MAX_BYTES", DEFAULT_MAX_BYTES))


def check_photo(upload: UploadedFile) -> ImageType:
    """The image type of `upload`, or a ValidationError that names the file and says why."""
    name = upload.name or _("the file")
    limit = max_photo_bytes()
    if not upload.size:
        raise ValidationError(_("%(name)s is empty.") % {"name": name}, code="empty")
    if upload.size > limit:
        raise ValidationError(
            _("%(name)s is %(size)s; a photo may be at most %(limit)s.")
            % {"name": name, "size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            code="too_big",
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    kind = sniff(head)
    if kind is None:
        raise ValidationError(
            _("%(name)s is not a photo: only JPEG, PNG, WebP and HEIC images are accepted.")
            % {"name": name},
            code="not_an_image",
        )
    return kind
