from django import template

from accounts.selectors import is_manager

register = template.Library()


@register.filter
def manages(user) -> bool:
    """Whether the navigation shows the manager pages (quarantine, sources)."""
    return user.is_authenticated and is_manager(user)
