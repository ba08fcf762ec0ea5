from cxkeeper.core.roles import ROLE_DESCRIPTIONS, role_of


def signed_in_person(request):
    """The signed-in person's role and how many notifications they have not read yet, for
    every page header (the North Star comes from `org.context_processors.workspace`)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    role = role_of(user)
    return {
        "current_role": role,
        "current_role_description": ROLE_DESCRIPTIONS[role],
        "unread_notifications": user.notifications.filter(read_at__isnull=True).count(),
    }
