"""Request plumbing that guards every HTTP door: who the client is behind a proxy, how big a body
may be, the security headers, and JSON (never an HTML page) for every error under /api/."""

import functools
import ipaddress
import json
import logging

from django.conf import settings
from django.http import JsonResponse
from django.middleware.gzip import GZipMiddleware

log = logging.getLogger(__name__)


@functools.lru_cache(maxsize=4)
def _networks(entries):
    return [ipaddress.ip_network(entry, strict=False) for entry in entries]


def _is_in(address, networks):
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


class TrustedProxyMiddleware:
    """Believe X-Forwarded-For / X-Forwarded-Proto only from STUDIO_TRUSTED_PROXIES.

    Daphne runs without --proxy-headers, so REMOTE_ADDR is the socket's peer. When that peer is a
    trusted proxy, the client is the right-most address in X-Forwarded-For that is not itself a
    trusted proxy (anything left of it was written by the client and proves nothing). From any
    other peer both headers are dropped: otherwise a guesser would be a new address with every
    request, and anyone could claim HTTPS (SECURE_PROXY_SSL_HEADER)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        meta = request.META
        proxies = _networks(tuple(settings.TRUSTED_PROXIES))
        if proxies and _is_in(meta.get("REMOTE_ADDR", ""), proxies):
            hops = [hop.strip() for hop in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
            while hops and _is_in(hops[-1], proxies):
                hops.pop()
            if hops:
                meta["REMOTE_ADDR"] = hops[-1]
        else:
            meta.pop("HTTP_X_FORWARDED_FOR", None)
            meta.pop("HTTP_X_FORWARDED_PROTO", None)
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """The Content-Security-Policy (settings.CONTENT_SECURITY_POLICY) on every response; Django's
    SecurityMiddleware and XFrameOptionsMiddleware add the others."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        return response


class ApiErrorsAsJsonMiddleware:
    """Under /api/ an error is JSON in every mode: Django's own answers (an unknown URL, a crash,
    a CSRF or host refusal, a body too big) are HTML pages, with DEBUG's debug pages among them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith("/api/") and response.status_code >= 400 and response.get("Content-Type", "").startswith("text/html"):
            detail = "Something went wrong on our side." if response.status_code >= 500 else response.reason_phrase
            if response.status_code == 404:
                detail = "No such address in the API."
            replaced = JsonResponse({"detail": detail}, status=response.status_code)
            for header, value in response.items():  # Allow, Retry-After, the security headers…
                if header.lower() not in ("content-type", "content-length"):
                    replaced[header] = value
            replaced.cookies = response.cookies
            return replaced
        return response


def body_limit(content_type):
    """The largest request body accepted: an upload (multipart) is the file plus the form around
    it; anything else is JSON, and DATA_UPLOAD_MAX_MEMORY_SIZE."""
    if content_type.startswith("multipart/form-data"):
        return settings.UPLOAD_MAX_BYTES + 1024 * 1024
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


class BodyTooLarge(Exception):
    pass


class RequestSizeLimit:
    """ASGI wrapper of the HTTP app: a body over its limit is refused with 413 before it is read.

    Django's ASGI handler reads the whole body (to a temporary file) before any middleware runs,
    so a 50 MB upload used to be read, spooled and only then refused. A declared Content-Length
    over the limit is answered at once; a chunked body is counted as it arrives and cut off."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        limit = body_limit(headers.get(b"content-type", b"").decode("latin-1"))
        declared = headers.get(b"content-length", b"")
        if declared.isdigit():
            if int(declared) > limit:
                return await self.refuse(send, limit)
            return await self.app(scope, receive, send)

        received = 0

        async def counted_receive():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge
            return message

        try:
            return await self.app(scope, counted_receive, send)
        except BodyTooLarge:
            return await self.refuse(send, limit)

    async def refuse(self, send, limit):
        body = json.dumps({"detail": f"The request body is larger than the {limit // (1024 * 1024)} MB allowed here."}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), (b"connection", b"close")],
            }
        )
        await send({"type": "http.response.body", "body": body})


class JsonGZipMiddleware(GZipMiddleware):
    """GZip for JSON answers (a big board is a tenth of its size on the wire); media such as PNGs
    and MP4s (which browsers fetch by byte range) go out as stored."""

    def process_response(self, request, response):
        if not response.get("Content-Type", "").startswith("application/json"):
            return response
        return super().process_response(request, response)
