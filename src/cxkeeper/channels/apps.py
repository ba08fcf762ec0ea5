from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "cxkeeper.channels"
    label = "channels"
    verbose_name = "Channels and webhooks"

    def ready(self):
        from cxkeeper.channels import delivery
        from cxkeeper.core import events

        # Every event, whichever app emits it, may go to team channels and webhooks.
        events.subscribe(delivery.on_event)
