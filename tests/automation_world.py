"""Who may use each automation URL, in the shape of the project's role walk: url name → (roles,
arguments built from the world of tests/test_role_walk.py)."""

from automation import notifications
from automation.models import MessageTemplate, Notification, Rule

EVERYONE = {"owner", "colleague", "bdc", "manager", "admin", "stranger"}
LEAD_SEERS = {"owner", "manager", "admin"}
MANAGERS = {"manager", "admin"}


def _template(world: dict) -> MessageTemplate:
    template, _created = MessageTemplate.objects.get_or_create(
        dealership=world["dealership"],
        name="Walk",
        defaults={"subject_en": "Hello {{ customer_name }}", "body_en": "Hi {{ customer_name }}"},
    )
    return template


def _rule(world: dict) -> Rule:
    rule, _created = Rule.objects.get_or_create(
        dealership=world["dealership"],
        name="Walk rule",
        defaults={"trigger": "created", "to_customer": True, "template": _template(world)},
    )
    return rule


def _notification(world: dict) -> Notification:
    return notifications.notify(user=world["owner"], kind="assigned", title="Walk")


AUTOMATION_ACCESS = {
    "automation:rules": (MANAGERS | {"stranger"}, None),
    "automation:rule_new": (MANAGERS | {"stranger"}, None),
    "automation:rule_edit": (MANAGERS, lambda w: [_rule(w).pk]),
    "automation:rule_impact": (MANAGERS, lambda w: [_rule(w).pk]),
    "automation:rule_toggle": (MANAGERS, lambda w: [_rule(w).pk]),
    "automation:templates": (MANAGERS | {"stranger"}, None),
    "automation:template_new": (MANAGERS | {"stranger"}, None),
    "automation:template_edit": (MANAGERS, lambda w: [_template(w).pk]),
    "automation:template_preview": (MANAGERS, lambda w: [_template(w).pk]),
    "automation:template_test": (MANAGERS, lambda w: [_template(w).pk]),
    "automation:install_ready_made": (MANAGERS, lambda w: [w["dealership"].pk]),
    "automation:outbox": (MANAGERS | {"stranger"}, None),
    "automation:dev_outbox": (MANAGERS | {"stranger"}, None),
    "automation:lead_message": (LEAD_SEERS, lambda w: [w["lead"].pk]),
    "notifications:list": (EVERYONE, None),
    "notifications:bell": (EVERYONE, None),
    "notifications:read": ({"owner"}, lambda w: [_notification(w).pk]),
    "notifications:read_all": (EVERYONE, None),
    "notifications:preferences": (EVERYONE, None),
}
