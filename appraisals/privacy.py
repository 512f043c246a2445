"""Where the appraisals app's models hold a customer's personal data (see leads.privacy)."""

from appraisals.models import Appraisal, AppraisalPhoto, ChecklistAnswer, ChecklistItem
from leads.privacy import How, holds_none, register

register(
    AppraisalPhoto,
    rows=lambda p: AppraisalPhoto.objects.filter(appraisal__lead__customer__in=p.customer_ids),
    fields={"file": How.FILE, "caption": How.BLANK},
    delete_rows=True,
    why="photos of the customer's car show its registration (and maybe them)",
)
register(
    Appraisal,
    rows=lambda p: Appraisal.objects.filter(lead__customer__in=p.customer_ids),
    fields={"remarks": How.BLANK},
    why="remarks written to the customer",
)
register(
    ChecklistAnswer,
    rows=lambda p: ChecklistAnswer.objects.filter(appraisal__lead__customer__in=p.customer_ids),
    fields={"note": How.SCRUB},
    why="free-text answers may name the owner",
)
holds_none(ChecklistItem, "the dealership's checklist")
