"""The distribution app's models hold no customer's personal data (see leads.privacy)."""

from distribution.models import (
    DistributionRule,
    DistributionSettings,
    Rotation,
    Routing,
    SetupStamp,
    TeamMember,
)
from leads.privacy import holds_none

holds_none(DistributionRule, "the dealership's routing rules")
holds_none(TeamMember, "staff in teams")
holds_none(Rotation, "round-robin credits per staff member")
holds_none(DistributionSettings, "the dealership's distribution settings")
holds_none(Routing, "a lead's routing state: staff ids and times")
holds_none(SetupStamp, "a version counter")
