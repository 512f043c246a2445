"""Ready-made templates in Dutch, French and English for the usual cases, each with the rule that
usually goes with it. The customer's language picks the version."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from automation.models import Channel, Direction, Trigger, Unit
from leads.lifecycle import Status


@dataclass(frozen=True)
class ReadyMade:
    key: str
    name: object
    texts: dict[str, str]
    rule: dict = field(default_factory=dict)


CONFIRMATION = ReadyMade(
    key="confirmation",
    name=_("Confirmation to the customer"),
    texts={
        "subject_nl": "Bedankt voor uw aanvraag bij {{ dealership }}",
        "body_nl": "Beste {{ customer_name }},\n\nBedankt voor uw interesse"
        "{% if vehicle %} in de {{ vehicle }}{% endif %}. "
        "{% if salesperson %}{{ salesperson }} neemt{% else %}We nemen{% endif %} zo snel mogelijk "
        "contact met u op.\n\nMet vriendelijke groet,\n{{ dealership }}",
        "subject_fr": "Merci pour votre demande chez {{ dealership }}",
        "body_fr": "Bonjour {{ customer_name }},\n\nMerci de votre intérêt"
        "{% if vehicle %} pour la {{ vehicle }}{% endif %}. "
        "{% if salesperson %}{{ salesperson }} vous contactera{% else %}Nous vous contacterons"
        "{% endif %} très bientôt.\n\nCordialement,\n{{ dealership }}",
        "subject_en": "Thank you for your request at {{ dealership }}",
        "body_en": "Dear {{ customer_name }},\n\nThank you for your interest"
        "{% if vehicle %} in the {{ vehicle }}{% endif %}. "
        "{% if salesperson %}{{ salesperson }} will{% else %}We will{% endif %} contact you "
        "shortly.\n\nKind regards,\n{{ dealership }}",
    },
    rule={"trigger": Trigger.CREATED, "to_customer": True, "channel": Channel.EMAIL},
)

TEST_DRIVE_REMINDER = ReadyMade(
    key="test-drive-reminder",
    name=_("Test-drive reminder the day before"),
    texts={
        "subject_nl": "Herinnering: uw proefrit op {{ appointment }}",
        "body_nl": "Beste {{ customer_name }}, tot morgen! Uw afspraak bij {{ dealership }}: "
        "{{ appointment }}{% if vehicle %} ({{ vehicle }}){% endif %}. "
        "{% if dealership_phone %}Verhinderd? Bel {{ dealership_phone }}.{% endif %}",
        "subject_fr": "Rappel : votre essai le {{ appointment }}",
        "body_fr": "Bonjour {{ customer_name }}, à demain ! Votre rendez-vous chez "
        "{{ dealership }} : {{ appointment }}{% if vehicle %} ({{ vehicle }}){% endif %}. "
        "{% if dealership_phone %}Un empêchement ? Appelez le {{ dealership_phone }}.{% endif %}",
        "subject_en": "Reminder: your test drive on {{ appointment }}",
        "body_en": "Dear {{ customer_name }}, see you tomorrow! Your appointment at "
        "{{ dealership }}: {{ appointment }}{% if vehicle %} ({{ vehicle }}){% endif %}. "
        "{% if dealership_phone %}Can't make it? Call {{ dealership_phone }}.{% endif %}",
    },
    rule={
        "trigger": Trigger.APPOINTMENT,
        "offset_amount": 1,
        "offset_unit": Unit.DAYS,
        "direction": Direction.BEFORE,
        "to_customer": True,
        "channel": Channel.SMS,
        "statuses": [Status.APPOINTMENT],
    },
)

NO_CONTACT_NUDGE = ReadyMade(
    key="no-contact-nudge",
    name=_("No contact yet: nudge to the salesperson"),
    texts={
        "subject_nl": "Nog geen contact met {{ customer_name }}",
        "body_nl": "Hoi {{ recipient_name }}, {{ customer_name }} ({{ lead_type }}"
        "{% if vehicle %}, {{ vehicle }}{% endif %}) wacht nog op contact. {{ lead_url }}",
        "subject_fr": "Pas encore de contact avec {{ customer_name }}",
        "body_fr": "Bonjour {{ recipient_name }}, {{ customer_name }} ({{ lead_type }}"
        "{% if vehicle %}, {{ vehicle }}{% endif %}) attend toujours votre appel. {{ lead_url }}",
        "subject_en": "No contact yet with {{ customer_name }}",
        "body_en": "Hi {{ recipient_name }}, {{ customer_name }} ({{ lead_type }}"
        "{% if vehicle %}, {{ vehicle }}{% endif %}) is still waiting to hear from you. "
        "{{ lead_url }}",
    },
    rule={
        "trigger": Trigger.NO_CONTACT,
        "offset_amount": 2,
        "offset_unit": Unit.HOURS,
        "to_salesperson": True,
        "channel": Channel.EMAIL,
        "statuses": [Status.NEW, Status.ASSIGNED],
    },
)

THANK_YOU = ReadyMade(
    key="thank-you",
    name=_("Thank you after the sale"),
    texts={
        "subject_nl": "Gefeliciteerd met uw {{ vehicle|default:'nieuwe auto' }}!",
        "body_nl": "Beste {{ customer_name }},\n\nHartelijk dank voor uw aankoop bij "
        "{{ dealership }}. Veel rijplezier! Heeft u vragen, dan staat {{ salesperson|default:'ons team' }} voor u "
        "klaar.\n\nMet vriendelijke groet,\n{{ dealership }}",
        "subject_fr": "Félicitations pour votre {{ vehicle|default:'nouvelle voiture' }} !",
        "body_fr": "Bonjour {{ customer_name }},\n\nMerci pour votre achat chez "
        "{{ dealership }}. Bonne route ! Pour toute question, {{ salesperson|default:'notre équipe' }} reste à votre "
        "disposition.\n\nCordialement,\n{{ dealership }}",
        "subject_en": "Congratulations on your {{ vehicle|default:'new car' }}!",
        "body_en": "Dear {{ customer_name }},\n\nThank you for buying from {{ dealership }}. "
        "Enjoy the drive! If you have any questions, {{ salesperson|default:'our team' }} is happy to help.\n\n"
        "Kind regards,\n{{ dealership }}",
    },
    rule={
        "trigger": Trigger.SOLD,
        "offset_amount": 1,
        "offset_unit": Unit.DAYS,
        "to_customer": True,
        "channel": Channel.EMAIL,
    },
)

READY_MADE = (CONFIRMATION, TEST_DRIVE_REMINDER, NO_CONTACT_NUDGE, THANK_YOU)
