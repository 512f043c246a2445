class AutomationError(Exception):
    """A request the state does not allow; the message says why (shown to the person)."""
