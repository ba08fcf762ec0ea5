from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "cxkeeper.core"
    label = "core"
    verbose_name = "cxkeeper core"

    def ready(self):
        from django.core import signals

        from cxkeeper.core import figures

        # Each request reads the data versions once (figures.versions), not once per figure.
        signals.request_started.connect(figures.request_started, dispatch_uid="cxkeeper-figures-request")
        signals.request_finished.connect(figures.request_finished, dispatch_uid="cxkeeper-figures-request")
