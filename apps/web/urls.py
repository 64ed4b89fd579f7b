from django.urls import path, re_path

from .views import VocabularyView, app_shell

urlpatterns = [
    path("api/vocabulary/", VocabularyView.as_view(), name="vocabulary"),
    # Every browser route (/, /login, /projects/3/…, /reviews/4, /s/<share token>, /invites/<token>,
    # /reset and /reset/<uid>/<token>) loads the same app; it routes itself.
    re_path(
        r"^(?:login/?|projects(?:/.*)?|reviews/\d+/?|s/[A-Za-z0-9_\-]+/?|invites/[A-Za-z0-9_\-]+/?|reset(?:/[A-Za-z0-9_\-]+/[A-Za-z0-9_\-]+)?/?)?$",
        app_shell,
        name="app",
    ),
]
