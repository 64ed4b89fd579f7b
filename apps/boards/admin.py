from django.contrib import admin

from .models import Character, Location, Panel, Scene, Shot


@admin.register(Scene)
class SceneAdmin(admin.ModelAdmin):
    list_display = ("number", "setting", "location", "time_of_day", "project")
    list_filter = ("project",)
    ordering = ("project", "rank", "id")


@admin.register(Shot)
class ShotAdmin(admin.ModelAdmin):
    list_display = ("number", "scene", "shot_size", "angle", "movement", "lens_mm", "status", "project")
    list_filter = ("project", "status", "shot_size")
    search_fields = ("number", "description", "dialogue")
    ordering = ("project", "scene", "rank", "id")


@admin.register(Panel)
class PanelAdmin(admin.ModelAdmin):
    list_display = ("id", "shot", "duration_s", "image", "project")
    list_filter = ("project",)


@admin.register(Character)
class CharacterAdmin(admin.ModelAdmin):
    list_display = ("name", "height_m", "colour", "project")
    list_filter = ("project",)


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ("name", "project")
    list_filter = ("project",)
