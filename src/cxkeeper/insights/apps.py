from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "cxkeeper.insights"
    label = "insights"
    verbose_name = "Insights"

    def ready(self):
        from cxkeeper.insights import actions, removals, uploads  # noqa: F401 - removals registers itself

        actions.on_erasure(uploads.erase_all)  # raw uploads go with a customer's erasure
