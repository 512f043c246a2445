"""The error distribution's writes raise for a request they refuse."""


class DistributionError(Exception):
    """A request the lead's state or the person's role does not allow; the message says why."""
