from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from apps.assets.views import AssetViewSet
from apps.boards.views import CharacterViewSet, LocationViewSet, PanelViewSet, ProjectBoardView, SceneViewSet, ShotViewSet
from apps.crew.views import InviteAcceptView, InviteInfoView, InviteSignUpView, InviteViewSet, MembershipViewSet, ProjectViewSet
from apps.editorial.views import CutImportView, ExportViewSet, ShotListImportView
from apps.projects.views import PasswordResetRequestView, PasswordResetView, SessionView, TokenView
from apps.renders.views import RenderJobViewSet
from apps.review.views import (
    AnnotationViewSet,
    ApprovalViewSet,
    CommentViewSet,
    ReviewViewSet,
    ShareAssetView,
    ShareContentView,
    ShareJoinView,
    ShareLinkInfoView,
    ShareLinkViewSet,
    ShotNotesView,
)
from apps.scripts.coverage_api import CoverageProposalViewSet
from apps.scripts.lining_views import ShotScriptLinesView
from apps.scripts.views import ScriptImportViewSet, ScriptViewSet

router = DefaultRouter()
router.register("projects", ProjectViewSet, basename="project")
router.register(r"projects/(?P<project_pk>\d+)/members", MembershipViewSet, basename="membership")
router.register(r"projects/(?P<project_pk>\d+)/invites", InviteViewSet, basename="invite")
router.register("scenes", SceneViewSet, basename="scene")
router.register("shots", ShotViewSet, basename="shot")
router.register("panels", PanelViewSet, basename="panel")
router.register("characters", CharacterViewSet, basename="character")
router.register("locations", LocationViewSet, basename="location")
router.register("assets", AssetViewSet, basename="asset")
router.register("render-jobs", RenderJobViewSet, basename="render-job")
router.register("reviews", ReviewViewSet, basename="review")
router.register("share-links", ShareLinkViewSet, basename="share-link")
router.register("comments", CommentViewSet, basename="comment")
router.register("annotations", AnnotationViewSet, basename="annotation")
router.register("approvals", ApprovalViewSet, basename="approval")
router.register("script-imports", ScriptImportViewSet, basename="script-import")
router.register("scripts", ScriptViewSet, basename="script")
router.register("coverage-proposals", CoverageProposalViewSet, basename="coverage-proposal")
router.register("exports", ExportViewSet, basename="export")

urlpatterns = [
    path("api/", include(router.urls)),
    path("api/shot-list/import/", ShotListImportView.as_view(), name="shot-list-import"),
    path("api/cuts/import/", CutImportView.as_view(), name="cut-import"),
    path("api/projects/<str:id>/board/", ProjectBoardView.as_view(), name="project-board"),
    path("api/shots/<int:shot_id>/notes.pdf", ShotNotesView.as_view(), name="shot-notes"),
    path("api/shots/<int:shot_id>/script-lines/", ShotScriptLinesView.as_view(), name="shot-script-lines"),
    path("api/share/<str:token>/", ShareLinkInfoView.as_view(), name="share-link-info"),
    path("api/share/<str:token>/join/", ShareJoinView.as_view(), name="share-join"),
    path("api/share/<str:token>/content/", ShareContentView.as_view(), name="share-content"),
    path("api/share/<str:token>/assets/<int:asset_id>/", ShareAssetView.as_view(), name="share-asset"),
    path("api/auth/session/", SessionView.as_view(), name="session"),
    path("api/auth/token/", TokenView.as_view(), name="token"),
    path("api/auth/password-reset/", PasswordResetRequestView.as_view(), name="password-reset-request"),
    path("api/auth/password-reset/confirm/", PasswordResetView.as_view(), name="password-reset"),
    path("api/invites/<str:token>/", InviteInfoView.as_view(), name="invite-info"),
    path("api/invites/<str:token>/accept/", InviteAcceptView.as_view(), name="invite-accept"),
    path("api/invites/<str:token>/sign-up/", InviteSignUpView.as_view(), name="invite-sign-up"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
    path("admin/", admin.site.urls),
    path("", include("apps.web.urls")),
]
