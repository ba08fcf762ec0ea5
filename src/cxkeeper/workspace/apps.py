from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    """Workspace-as-code. No models of its own: it reads and writes every other app's."""

    name = "cxkeeper.workspace"
    label = "workspace"
    verbose_name = "Workspace as code"
