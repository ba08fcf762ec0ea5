from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "cxkeeper.insights"
    label = "insights"
    verbose_name = "Insights"
