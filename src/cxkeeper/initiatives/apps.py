from django.apps import AppConfig


class InitiativesConfig(AppConfig):
    name = "cxkeeper.initiatives"
    label = "initiatives"
    verbose_name = "Initiatives"

    def ready(self):
        from cxkeeper.initiatives import commitments, removals  # noqa: F401 - removals registers what happens when things it refers to go

        commitments.register()  # a team's initiatives on its scorecard
        from cxkeeper.initiatives import sponsor_summary

        sponsor_summary.register()  # escalations and top priorities on the organization view (0038)
