from django.db import models


class JourneyStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class Lane(models.TextChoices):
    """Service-blueprint lanes, top (what the customer does) to bottom (what supports it)."""

    CUSTOMER_ACTION = "customer_action", "Customer action"
    FRONTSTAGE = "frontstage", "Front-stage touchpoint"
    BACKSTAGE = "backstage", "Back-stage process"
    SUPPORT_SYSTEM = "support_system", "Support system"


class ResponsibilityRole(models.TextChoices):
    OWNS = "owns", "Owns"
    CONTRIBUTES = "contributes", "Contributes"
    INFORMED = "informed", "Informed"


ROLE_LETTERS = {ResponsibilityRole.OWNS: "O", ResponsibilityRole.CONTRIBUTES: "C", ResponsibilityRole.INFORMED: "I"}

# Roles that let a team member edit a step's content.
EDITING_ROLES = (ResponsibilityRole.OWNS, ResponsibilityRole.CONTRIBUTES)
