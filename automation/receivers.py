"""Lead events → scheduled actions and staff notifications. Connected in AutomationConfig.ready().

The receiver runs inside the transaction that wrote the events (leads.signals): the actions and
notifications are written in that same transaction, so they exist iff the events do — a rolled
back lead write leaves no orphan message behind, and a crash right after the commit loses none.
Celery is only started after the commit (outbox.kick_dispatcher)."""

from automation import customer_rules, notifications
from core.webhooks import refuse_unless_authenticated


def on_lead_events(sender, events, **kwargs) -> None:
    customer_rules.schedule_for_events(events)
    notifications.notify_for_events(events)


def on_tracking(sender, event, esp_name: str, **kwargs) -> None:
    from automation.delivery import on_email_tracking

    # Closed unless authenticated, like inbound: a forged "complained" event would opt anyone out.
    refuse_unless_authenticated(esp_name, "tracking")
    on_email_tracking(event=event, esp_name=esp_name)
