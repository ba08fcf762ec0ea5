from django.apps import AppConfig


class InitiativesConfig(AppConfig):
    name = "cxkeeper.initiatives"
    label = "initiatives"
    verbose_name = "Initiatives"

    def ready(self):
        from cxkeeper.initiatives import removals  # noqa: F401 - registers what happens when things it refers to go
