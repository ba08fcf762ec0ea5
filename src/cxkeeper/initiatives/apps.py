from django.apps import AppConfig


class InitiativesConfig(AppConfig):
    name = "cxkeeper.initiatives"
    label = "initiatives"
    verbose_name = "Initiatives"
