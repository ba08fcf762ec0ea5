from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "cxkeeper.notify"
    label = "notify"
    verbose_name = "Notifications"

    def ready(self):
        from cxkeeper.core import events
        from cxkeeper.notify import listener, tasks  # noqa: F401 - tasks declares the jobs and the schedule

        # Every app emits through core.events; this is where their notices reach people.
        events.subscribe(listener.hear)
