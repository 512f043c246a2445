"""The dashboards app's models hold no customer's personal data (see leads.privacy)."""

from dashboards.models import Target
from leads.privacy import holds_none

holds_none(Target, "the dealership's targets")
