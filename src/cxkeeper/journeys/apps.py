from django.apps import AppConfig


class JourneysConfig(AppConfig):
    name = "cxkeeper.journeys"
    label = "journeys"
    verbose_name = "Journeys"

    def ready(self):
        from cxkeeper.journeys import removals  # noqa: F401 - registers what happens when things it refers to go
