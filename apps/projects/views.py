from django.contrib.auth import login, logout
from django.middleware.csrf import get_token
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from . import services
from .serializers import DetailSerializer, PasswordResetRequestSerializer, PasswordResetSerializer, SignInSerializer


class SessionUserSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    display_name = serializers.CharField()


def user_payload(user):
    return {"id": user.pk, "username": user.username, "display_name": user.get_full_name() or user.username}


class SessionView(APIView):
    """Browser sign-in with a Django session (scripts use a token: POST /api/auth/token/)."""

    permission_classes = [AllowAny]

    @extend_schema(responses={200: SessionUserSerializer, 403: None})
    def get(self, request):
        get_token(request)  # make sure the browser holds a CSRF cookie before its first write
        if not request.user.is_authenticated:
            return Response({"detail": "Not signed in."}, status=status.HTTP_403_FORBIDDEN)
        return Response(user_payload(request.user))

    @extend_schema(request=SignInSerializer, responses={200: SessionUserSerializer, 400: None, 429: None})
    def post(self, request):
        body = SignInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        user = services.check_password_login(request, body.validated_data["username"], body.validated_data["password"])
        login(request, user)
        return Response(user_payload(user))

    @extend_schema(responses={204: None})
    def delete(self, request):
        logout(request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


class TokenView(APIView):
    """A script's API token for a login and password (guessing is limited like the sign-in)."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(request=SignInSerializer, responses={200: TokenSerializer, 400: None, 429: None})
    def post(self, request):
        body = SignInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        user = services.check_password_login(request, body.validated_data["username"], body.validated_data["password"])
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


class PasswordResetRequestView(APIView):
    """Ask for a password-reset link by email. The answer is the same whether or not a login uses
    the address; requests are limited per caller and per address (429)."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(request=PasswordResetRequestSerializer, responses={200: DetailSerializer, 400: None, 429: None})
    def post(self, request):
        body = PasswordResetRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return Response({"detail": services.request_password_reset(request, body.validated_data["email"])})


class PasswordResetView(APIView):
    """Set a new password with the link from the reset email; the person then signs in with it."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(request=PasswordResetSerializer, responses={200: DetailSerializer, 400: None, 429: None})
    def post(self, request):
        body = PasswordResetSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        user = services.user_for_reset(request, body.validated_data["uid"], body.validated_data["token"])
        services.set_new_password(user, body.validated_data["password"])
        return Response({"detail": f"Your password is set. Sign in as {user.username}."})
