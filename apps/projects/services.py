"""Signing in: a login and password checked, with guessing limited; setting a new password
through a reset link (the project and crew writes are apps.crew's)."""

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.mail import send_mail
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
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
        limits.refuse_if_spent(group, value, settings.LOGIN_GUESS_LIMIT, settings.LOGIN_GUESS_WINDOW_S, "Too many wrong passwords; try again later.")
    user = authenticate(request, username=username, password=password)
    if user is None:
        for group, value in budgets:
            limits.count_miss(group, value, settings.LOGIN_GUESS_LIMIT, settings.LOGIN_GUESS_WINDOW_S)
        raise ValidationError({"non_field_errors": [WRONG_LOGIN]})
    return user


def public_url(request, path):
    """An absolute link for an email or a clipboard: STUDIO_PUBLIC_URL when the studio is reached
    under another name than this request used (behind a proxy), else this request's own."""
    base = settings.STUDIO_PUBLIC_URL or request.build_absolute_uri("/").rstrip("/")
    return f"{base}{path}"


# --- Password reset -------------------------------------------------------------------------------
# The link carries the account's id and a token from Django's default token generator: it is
# made from the password hash and the last sign-in, so it stops working once used (or once the
# person signs in), and after PASSWORD_RESET_TIMEOUT (three days by default).

RESET_SENT = "If a studio login uses that address, we sent it a link to set a new password. It works once, for three days."
RESET_LINK_BAD = "This reset link is not valid any more (it was used, or a newer one was sent). Ask for a new one."


def request_password_reset(request, email):
    """Mail a reset link to every active login with this address. The caller always hears the
    same answer (RESET_SENT), so nobody learns which addresses have logins; every request counts
    against the caller's address and the address asked about, since each may send mail."""
    budgets = [("reset-address", limits.client_address(request)), ("reset-email", email.casefold())]
    for group, value in budgets:
        limits.refuse_if_spent(group, value, settings.PASSWORD_RESET_LIMIT, settings.PASSWORD_RESET_WINDOW_S, "Too many reset requests; try again later.")
    for group, value in budgets:
        limits.count_miss(group, value, settings.PASSWORD_RESET_LIMIT, settings.PASSWORD_RESET_WINDOW_S)
    users = get_user_model().objects.filter(email__iexact=email, is_active=True)
    for user in users:
        if not user.has_usable_password():
            continue
        uid = urlsafe_base64_encode(force_bytes(user.pk))
        url = public_url(request, f"/reset/{uid}/{default_token_generator.make_token(user)}")
        send_mail(
            subject="Set a new Previs Studio password",
            message=(
                f"Someone (we hope you) asked to set a new password for the studio login {user.username}.\n\n"
                f"Open this link to choose it:\n{url}\n\n"
                "The link works once, for three days. If you did not ask, ignore this email: your password stays as it is."
            ),
            from_email=None,
            recipient_list=[user.email],
        )
    return RESET_SENT


def user_for_reset(request, uid, token):
    """The login a reset link is for, or a 400 that says the link is spent. Bad links count as
    wrong guesses against the caller's address, like wrong passwords."""
    address = limits.client_address(request)
    limits.refuse_if_spent(
        "reset-link-address",
        address,
        settings.LOGIN_GUESS_LIMIT,
        settings.LOGIN_GUESS_WINDOW_S,
        "Too many wrong reset links from your address; try again later.",
    )
    try:
        user = get_user_model().objects.filter(pk=int(urlsafe_base64_decode(uid).decode()), is_active=True).first()
    except (ValueError, OverflowError, UnicodeDecodeError):
        user = None
    if user is None or not default_token_generator.check_token(user, token):
        limits.count_miss("reset-link-address", address, settings.LOGIN_GUESS_LIMIT, settings.LOGIN_GUESS_WINDOW_S)
        raise ValidationError({"token": [RESET_LINK_BAD]})
    return user


def check_new_password(password, user):
    """Django's password validators (AUTH_PASSWORD_VALIDATORS) decide, for a reset and a sign-up
    alike; their messages come back as the password field's 400. `user` may be unsaved (a
    sign-up), so a password too like the login or the address is refused too."""
    try:
        validate_password(password, user)
    except DjangoValidationError as error:
        raise ValidationError({"password": list(error.messages)})


def set_new_password(user, password):
    check_new_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    return user
