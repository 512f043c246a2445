import pytest

from automation.models import MessageTemplate, Notification, OutboundMessage, Rule, ScheduledAction
from demo.builder import build_demo


@pytest.mark.django_db
def test_the_demo_shows_rules_templates_sent_messages_and_a_ringing_bell():
    build_demo(leads=80, seed=3)
    assert Rule.objects.filter(is_enabled=True).count() == 10  # 4 ready-made + 1 custom, twice
    assert set(MessageTemplate.objects.values_list("key", flat=True)) >= {
        "confirmation",
        "test-drive-reminder",
        "no-contact-nudge",
        "thank-you",
    }
    assert OutboundMessage.objects.filter(status="delivered").exists()
    assert Notification.objects.filter(read_at__isnull=True).exists()
    # History is written with the announcements paused: nothing planned from weeks-old events.
    assert not ScheduledAction.objects.filter(state="pending").exists()
