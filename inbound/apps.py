from django.apps import AppConfig


class InboundConfig(AppConfig):
    """How leads come in: the e-mail webhooks, the website API, the parse pipeline in batches and
    the quarantine. Its models still live in `leads` (InboundMessage, SourceLabel)."""

    name = "inbound"
    verbose_name = "Inbound"

    def ready(self) -> None:
        from anymail.signals import inbound

        from inbound.receivers import on_inbound

        inbound.connect(on_inbound, dispatch_uid="inbound.email")
