from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "cxkeeper.governance"
    label = "governance"
    verbose_name = "Governance"

    def ready(self):
        from cxkeeper.governance import commitments, removals  # noqa: F401 - registers hooks in lower layers

        # The team scorecard (outcomes, a lower layer) shows each team's commitments: governance
        # fills outcomes' registry with the team's action items (docs/decisions/0028).
        commitments.register()
        from cxkeeper.governance import sponsor_summary

        sponsor_summary.register()  # escalated questions on the organization view (0038)
