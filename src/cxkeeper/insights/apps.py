from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "cxkeeper.insights"
    label = "insights"
    verbose_name = "Insights"

    def ready(self):
        from cxkeeper.insights import removals  # noqa: F401 - registers what happens when things it refers to go
