from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "cxkeeper.outcomes"
    label = "outcomes"
    verbose_name = "Shared outcomes"

    def ready(self):
        from cxkeeper.insights import import_jobs
        from cxkeeper.outcomes import queries, removals  # noqa: F401 - registers what happens when things it refers to go

        # An import's summary says which targets' statuses it moved (insights cannot import outcomes).
        import_jobs.register_watcher("targets", snapshot=queries.target_statuses,
                                     changes=queries.target_status_changes)
