from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    """Workspace-as-code. No models of its own: it reads and writes every other app's."""

    name = "cxkeeper.workspace"
    label = "workspace"
    verbose_name = "Workspace as code"

    def ready(self):
        # Costly figures are recomputed by the background worker after each change of the data.
        from cxkeeper.core import figures
        from cxkeeper.workspace.jobs import queue_warm_up

        figures.after_change(queue_warm_up)
