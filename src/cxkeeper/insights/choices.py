from django.db import models


class SourceKind(models.TextChoices):
    SURVEY = "survey", "Survey"
    HELPDESK = "helpdesk", "Helpdesk tickets"
    APP_REVIEW = "app_review", "App reviews"
    CRM = "crm", "CRM events"
    SOCIAL = "social", "Social media"
    OTHER = "other", "Other"


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class RoutedBy(models.TextChoices):
    NONE = "", "Unrouted"
    MODEL = "model", "Model"
    RULE = "rule", "Rule"
    PERSON = "person", "Person"
