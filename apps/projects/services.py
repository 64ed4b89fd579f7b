"""Signing in: a login and password checked, with guessing limited (the project and crew writes
are apps.crew's)."""

from django.conf import settings
from django.contrib.auth import authenticate
from rest_framework.exceptions import ValidationError

from . import limits

WRONG_LOGIN = "That login and password do not match."


def check_password_login(request, username, password):
    """The user for a login and password (session sign-in and token creation both ask here).

    Every wrong pair gets the same 400, whether or not the login exists. Wrong passwords are
    counted per address and per login name; once either has spent LOGIN_GUESS_LIMIT in the
    window, the answer is 429 before the password is even checked."""
    budgets = [("login-address", limits.client_address(request)), ("login-name", username.casefold())]
    for group, value in budgets:
        limits.refuse_if_spent(group, value, settings.LOGIN_GUESS_LIMIT, settings.LOGIN_GUESS_WINDOW_S,
                               "Too many wrong passwords; try again later.")
    user = authenticate(request, username=username, password=password)
    if user is None:
        for group, value in budgets:
            limits.count_miss(group, value, settings.LOGIN_GUESS_LIMIT, settings.LOGIN_GUESS_WINDOW_S)
        raise ValidationError({"non_field_errors": [WRONG_LOGIN]})
    return user
