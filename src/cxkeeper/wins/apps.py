from django.apps import AppConfig


class WinsConfig(AppConfig):
    name = "cxkeeper.wins"
    label = "wins"
    verbose_name = "Wins"

    def ready(self):
        from cxkeeper.wins import recognitions

        # Team scorecards and the organization view (outcomes, a lower layer) show each team's
        # wins through outcomes' registry (docs/decisions/0030).
        recognitions.register()
