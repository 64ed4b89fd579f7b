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

        # The board carries each shot's latest decision, stale or not, by this app's rule; a
        # change of what a reviewer judges (or of the status a decision sets) carries it again.
        from apps.boards.selectors import register_shot_fact
        from apps.boards.serializers import derive

        from .selectors import FINGERPRINT_FIELDS, approval_states

        register_shot_fact("approval", approval_states)
        derive("approval", [name.removesuffix("_id") for name in FINGERPRINT_FIELDS] + ["characters", "status"])
