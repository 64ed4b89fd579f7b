from django.urls import re_path

from .views import app_shell

urlpatterns = [
    # Every browser route (/, /login, /projects/3/…) loads the same app; it routes itself.
    re_path(r"^(?:login/?|projects(?:/.*)?)?$", app_shell, name="app"),
]
