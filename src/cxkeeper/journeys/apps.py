from django.apps import AppConfig


class JourneysConfig(AppConfig):
    name = "cxkeeper.journeys"
    label = "journeys"
    verbose_name = "Journeys"
