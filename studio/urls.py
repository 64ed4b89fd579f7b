from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from apps.assets.views import AssetViewSet
from apps.boards.views import CharacterViewSet, LocationViewSet, PanelViewSet, SceneViewSet, ShotViewSet
from apps.projects.views import MembershipViewSet, ProjectViewSet, SessionView
from apps.renders.views import RenderJobViewSet

router = DefaultRouter()
router.register("projects", ProjectViewSet, basename="project")
router.register(r"projects/(?P<project_pk>\d+)/members", MembershipViewSet, basename="membership")
router.register("scenes", SceneViewSet, basename="scene")
router.register("shots", ShotViewSet, basename="shot")
router.register("panels", PanelViewSet, basename="panel")
router.register("characters", CharacterViewSet, basename="character")
router.register("locations", LocationViewSet, basename="location")
router.register("assets", AssetViewSet, basename="asset")
router.register("render-jobs", RenderJobViewSet, basename="render-job")

urlpatterns = [
    path("api/", include(router.urls)),
    path("api/auth/session/", SessionView.as_view(), name="session"),
    path("api/auth/token/", obtain_auth_token, name="token"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
    path("admin/", admin.site.urls),
    path("", include("apps.web.urls")),
]
