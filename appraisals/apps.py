from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppraisalsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "appraisals"
    verbose_name = _("Trade-in appraisals")
