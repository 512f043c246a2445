"""Who may use each appraisal URL, in the shape of the project's role walk: url name → (roles,
arguments built from a world of {lead, owner, …}). The world needs settings.MEDIA_ROOT pointed at
a temporary directory, since a photo is stored for the photo URLs."""

from appraisals import services
from appraisals.models import Appraisal, AppraisalPhoto, ChecklistItem
from tests.images import png_bytes, upload

LEAD_SEERS = {"owner", "manager", "admin"}
MANAGERS = {"manager", "admin"}


def _appraisal(world: dict) -> Appraisal:
    # Started once, then reused: start_appraisal returns the lead's existing appraisal.
    return services.start_appraisal(
        lead=world["lead"], by=world["owner"], vehicle={"make": "Ligier", "model": "JS50"}
    )


def _photo(world: dict) -> AppraisalPhoto:
    appraisal = _appraisal(world)
    return (
        appraisal.photos.first()
        or services.add_photos(
            appraisal=appraisal, uploads=[upload("car.png", png_bytes(), "image/png")], by=None
        )[0]
    )


def _item(world: dict) -> ChecklistItem:
    dealership = world["lead"].dealership
    services.install_default_checklist(dealership=dealership)
    return dealership.checklist_items.first()


APPRAISAL_ACCESS = {
    "appraisals:start": (LEAD_SEERS, lambda w: [w["lead"].pk]),
    "appraisals:detail": (LEAD_SEERS, lambda w: [_appraisal(w).pk]),
    "appraisals:car": (LEAD_SEERS, lambda w: [_appraisal(w).pk]),
    "appraisals:answers": (LEAD_SEERS, lambda w: [_appraisal(w).pk]),
    "appraisals:add_photos": (LEAD_SEERS, lambda w: [_appraisal(w).pk]),
    "appraisals:photo": (LEAD_SEERS, lambda w: [_appraisal(w).pk, _photo(w).pk]),
    "appraisals:delete_photo": (LEAD_SEERS, lambda w: [_appraisal(w).pk, _photo(w).pk]),
    "appraisals:save_offer": (LEAD_SEERS, lambda w: [_appraisal(w).pk]),
    "appraisals:status": (LEAD_SEERS, lambda w: [_appraisal(w).pk]),
    "appraisals:offer": (LEAD_SEERS, lambda w: [_appraisal(w).pk]),
    "appraisals:send": (LEAD_SEERS, lambda w: [_appraisal(w).pk]),
    # A manager of another dealership is sent to their own dealership's checklist.
    "appraisals:checklist_index": (MANAGERS | {"stranger"}, None),
    "appraisals:checklist": (MANAGERS, lambda w: [w["lead"].dealership_id]),
    "appraisals:checklist_defaults": (MANAGERS, lambda w: [w["lead"].dealership_id]),
    "appraisals:checklist_item": (MANAGERS, lambda w: [_item(w).pk]),
    "appraisals:checklist_move": (MANAGERS, lambda w: [_item(w).pk]),
}
