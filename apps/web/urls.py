from django.urls import re_path

from .views import app_shell

urlpatterns = [
    # Every browser route (/, /login, /projects/3/…, /reviews/4, /s/<share token>) loads the same app; it routes itself.
    re_path(r"^(?:login/?|projects(?:/.*)?|reviews/\d+/?|s/[A-Za-z0-9_\-]+/?)?$", app_shell, name="app"),
]
