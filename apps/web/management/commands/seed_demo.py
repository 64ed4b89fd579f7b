"""Create the demo project a newcomer logs in to (idempotent: does nothing if it exists).

It is a real two-scene shot list with characters and locations; each shot's first panel gets a
real blocking render of its camera, so the storyboard shows true framing from the start.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from apps.boards import services as boards
from apps.crew import services as crew
from apps.projects.models import Project

DEMO_USER, DEMO_PASSWORD = "demo", "previs-demo"
DEMO_PROJECT = "Harbour Light"

CHARACTERS = [
    ("MAYA", 1.68, "#e07a5f", "Lighthouse keeper in her late thirties, grey wool fisherman's sweater, dark braided hair, weathered face."),
    ("TOM", 1.82, "#3d85c6", "Her younger brother, yellow oilskin rain jacket, two days' stubble, soaked through."),
]
LOCATIONS = [
    ("HARBOUR JETTY", "Stone jetty below the lighthouse, slick with rain, one sodium lamp."),
    ("LIGHTHOUSE - LAMP ROOM", "Round glass room at the top of the tower; brass lamp mechanism turning in the centre."),
]
SCENES = [
    {
        "scene": {
            "setting": "EXT",
            "location": "HARBOUR JETTY",
            "time_of_day": "DUSK",
            "synopsis": "Tom comes home by boat through the storm; Maya waits on the jetty with a lantern.",
        },
        "shots": [
            {
                "description": "Establishing: the jetty in driving rain, the lighthouse beam sweeping overhead. A small boat noses in.",
                "shot_size": "EWS",
                "angle": "high",
                "lens_mm": 24,
                "movement": "static",
                "rig": "sticks",
                "duration_s": 5,
                "characters": ["MAYA"],
                "props": "Lantern, mooring rope",
            },
            {
                "description": "Tom climbs the ladder onto the jetty; Maya steps forward with the lantern.",
                "shot_size": "MS",
                "framing": "two_shot",
                "angle": "eye",
                "lens_mm": 35,
                "movement": "dolly_in",
                "rig": "dolly",
                "duration_s": 4,
                "characters": ["MAYA", "TOM"],
            },
            {
                "description": "Maya, rain running down her face. She does not smile.",
                "dialogue": "MAYA: You said you'd never come back.",
                "shot_size": "CU",
                "angle": "low",
                "lens_mm": 85,
                "movement": "static",
                "rig": "sticks",
                "duration_s": 3,
                "characters": ["MAYA", "TOM"],
            },
            {
                "description": "Over Maya's shoulder: Tom, exhausted, holds out a sealed envelope.",
                "dialogue": "TOM: I didn't. Dad did.",
                "shot_size": "MCU",
                "framing": "ots",
                "angle": "eye",
                "lens_mm": 50,
                "movement": "handheld",
                "rig": "handheld",
                "duration_s": 3.5,
                "characters": ["TOM", "MAYA"],
            },
        ],
    },
    {
        "scene": {
            "setting": "INT",
            "location": "LIGHTHOUSE - LAMP ROOM",
            "time_of_day": "NIGHT",
            "synopsis": "Maya reads the letter by the turning lamp; Tom watches from the stairs.",
        },
        "shots": [
            {
                "description": "The lamp room from above; Maya at the centre, the brass mechanism turning around her.",
                "shot_size": "FS",
                "angle": "overhead",
                "lens_mm": 18,
                "movement": "crane",
                "rig": "crane",
                "duration_s": 6,
                "characters": ["MAYA"],
            },
            {
                "description": "Maya opens the envelope. Her hands are shaking.",
                "shot_size": "INSERT",
                "angle": "high",
                "lens_mm": 100,
                "movement": "static",
                "rig": "slider",
                "duration_s": 2.5,
                "characters": ["MAYA"],
                "props": "Envelope, letter",
            },
            {
                "description": "Tom on the top stair, half in shadow, watching her read.",
                "shot_size": "MFS",
                "angle": "low",
                "lens_mm": 40,
                "movement": "arc",
                "rig": "steadicam",
                "duration_s": 4,
                "characters": ["TOM"],
            },
        ],
    },
]


class Command(BaseCommand):
    help = "Create the demo user and project (does nothing if they exist)."

    def handle(self, *args, **options):
        User = get_user_model()
        user, created = User.objects.get_or_create(username=DEMO_USER, defaults={"first_name": "Demo", "last_name": "Director", "is_staff": True})
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        if not Project.objects.filter(name=DEMO_PROJECT, memberships__user=user).exists():
            with transaction.atomic():
                self.create_project(user)
            self.render_panels(user)
        self.stdout.write(self.style.SUCCESS(f"Demo project '{DEMO_PROJECT}': log in as {DEMO_USER} / {DEMO_PASSWORD}"))

    def create_project(self, user):
        project = crew.create_project(
            user,
            {
                "name": DEMO_PROJECT,
                "description": "Short film, 12 minutes. Previs for the storm sequence.",
                "fps": "24",
                "aspect_ratio": "2.39",
                "sensor": "super35",
                "style_prompt": "moody cinematic still, cold blue storm light, practical lantern glow, 35mm film grain",
            },
        )
        characters = {
            name: boards.create_character(project, {"name": name, "height_m": height, "colour": colour, "description": description}, user)
            for name, height, colour, description in CHARACTERS
        }
        locations = {name: boards.create_location(project, {"name": name, "description": description}, user) for name, description in LOCATIONS}
        for entry in SCENES:
            scene_data = dict(entry["scene"])
            scene_data["location"] = locations[scene_data["location"]]
            scene = boards.create_scene(project, scene_data, user)
            for shot_data in entry["shots"]:
                shot_data = dict(shot_data)
                shot_data["characters"] = [characters[name] for name in shot_data["characters"]]
                shot = boards.create_shot(scene, shot_data, user)
                boards.create_panel(shot, {"duration_s": shot.duration_s, "caption": shot.description}, user)
        return project

    def render_panels(self, user):
        """Give each first panel a real blocking render of its shot (synchronous: ~30 ms each)."""
        from apps.assets.models import Asset
        from apps.assets.services import store_asset
        from apps.boards.models import Panel
        from apps.renders.services import frame_size
        from workers.renderers.blocking import png_bytes, render_frame

        for panel in Panel.objects.filter(project__name=DEMO_PROJECT, image__isnull=True).select_related("shot"):
            shot = panel.shot
            width, height = frame_size("frame", {}, shot.aspect_ratio)
            frame = render_frame(boards.render_spec_for(shot), width, height)
            asset = store_asset(
                project_id=panel.project_id,
                kind=Asset.FRAME,
                data=png_bytes(frame.colour),
                content_type="image/png",
                created_by=user,
                width=width,
                height=height,
            )
            boards.update_panel(panel, {"image": asset}, user, None)
