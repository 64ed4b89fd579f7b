from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "apps.review"
    label = "review"
    verbose_name = "Review and approval"

    def ready(self):
        from apps.rooms.ops import register_kind

        from .ops import KINDS

        for entity, kind in KINDS.items():
            register_kind(entity, kind)
