from cxkeeper.core.roles import ROLE_DESCRIPTIONS, role_of


def workspace(request):
    """The North Star and the signed-in person's role, for every page header."""
    from cxkeeper.org.models import Workspace

    user = getattr(request, "user", None)
    context = {"workspace": Workspace.current()}
    if user is not None and user.is_authenticated:
        role = role_of(user)
        context.update(
            current_role=role,
            current_role_description=ROLE_DESCRIPTIONS[role],
            unread_notifications=user.notifications.filter(read_at__isnull=True).count(),
        )
    return context
