from django.apps import AppConfig


class WarehouseConfig(AppConfig):
    name = "cxkeeper.insights.warehouse"
    label = "warehouse"
    verbose_name = "Warehouse sources"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from cxkeeper.insights.warehouse import jobs  # noqa: F401 - registers the sync task and its schedule
