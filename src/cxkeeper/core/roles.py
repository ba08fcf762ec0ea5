"""Roles as data: one place says who may do what, pages, API and CLI ask here."""

from __future__ import annotations

from django.db import models

from cxkeeper.core.actors import SYSTEM


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    KEEPER = "keeper", "Keeper"
    MEMBER = "member", "Team member"
    VIEWER = "viewer", "Viewer"


# What each role may do, in words shown to users when they are refused.
ROLE_DESCRIPTIONS = {
    Role.ADMIN: "everything, including people, teams, API tokens of others and Django admin",
    Role.KEEPER: "journey structure, responsibilities, handoffs, publishing and reviews; mission and glossary",
    Role.MEMBER: "descriptions, example phrases and channel of steps their team owns or contributes to",
    Role.VIEWER: "read everything, change nothing",
}


def role_of(user) -> Role:
    if user is SYSTEM:
        return Role.ADMIN
    if user is None or not user.is_authenticated:
        return Role.VIEWER
    if user.is_superuser:
        return Role.ADMIN
    person = getattr(user, "person", None)
    return Role(person.role) if person is not None else Role.VIEWER
