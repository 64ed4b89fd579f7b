from django.apps import AppConfig


class RendersConfig(AppConfig):
    name = "apps.renders"
    label = "renders"
