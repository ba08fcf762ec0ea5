from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "cxkeeper.org"
    label = "org"
    verbose_name = "Organization"
