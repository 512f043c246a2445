"""Who may use each automation URL, in the shape of the project's role walk: url name → (roles,
arguments built from the world of tests/test_role_walk.py)."""

from automation import notifications
from automation.models import MessageTemplate, Notification, Rule, WhatsAppTemplate

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


def _whatsapp_template(world: dict) -> WhatsAppTemplate:
    """A template of its own for each role's try: one role's delete leaves the next one."""
    return WhatsAppTemplate.objects.create(
        dealership=world["dealership"],
        name=f"Walk {WhatsAppTemplate.objects.count()}",
        content_sid=f"HX{WhatsAppTemplate.objects.count():032x}",
        language="nl",
        body="Hallo {{1}}",
        variables=["customer_first_name"],
    )


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
    # WhatsApp: managers see its state and templates, admins set the sender and the templates.
    "automation:whatsapp": (MANAGERS | {"stranger"}, None),
    "automation:whatsapp_sender": ({"admin"}, lambda w: [w["dealership"].pk]),
    "automation:whatsapp_template_new": ({"admin"}, None),
    "automation:whatsapp_template_edit": ({"admin"}, lambda w: [_whatsapp_template(w).pk]),
    "automation:whatsapp_template_delete": ({"admin"}, lambda w: [_whatsapp_template(w).pk]),
    "notifications:list": (EVERYONE, None),
    "notifications:bell": (EVERYONE, None),
    "notifications:read": ({"owner"}, lambda w: [_notification(w).pk]),
    "notifications:read_all": (EVERYONE, None),
    "notifications:preferences": (EVERYONE, None),
}
