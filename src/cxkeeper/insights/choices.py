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
    # A person said it is not customer feedback about the journey (spam, chatter): kept, but
    # out of every figure (no rollup cell, not even the unrouted one) and out of the queue.
    OFF_TOPIC = "off_topic", "Off-topic"


class RelearnStatus(models.TextChoices):
    WAITING = "waiting", "Waiting for more corrections"
    RUNNING = "running", "Learning from corrections"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"
