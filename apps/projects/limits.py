"""Guess limits: wrong passwords, share-link tokens and passphrases.

django-ratelimit counts the misses in the Django cache (Redis when REDIS_URL is set, so every
web process shares one count; in-process memory for the embedded studio, which is one process).
Once a budget is spent the caller gets 429 with Retry-After until the budget's window ends:
the check comes before the password is looked at, so a right guess past the limit tells nothing.
Only misses count, so people who type their password right are never slowed down.
"""

import ipaddress

from django_ratelimit.core import get_usage
from rest_framework.exceptions import Throttled


def _usage(group, value, limit, window_s, increment):
    # The value is the whole key (an address, a login, a link id); the request is not needed.
    return get_usage(None, group=group, key=lambda _group, _request: str(value), rate=(limit, window_s), increment=increment)


def refuse_if_spent(group, value, limit, window_s, message):
    """429 (with Retry-After) if `value` has already missed `limit` times in this window."""
    usage = _usage(group, value, limit, window_s, increment=False)
    if usage is not None and usage["count"] >= usage["limit"]:
        raise Throttled(wait=max(1, usage["time_left"]), detail=message)


def count_miss(group, value, limit, window_s):
    _usage(group, value, limit, window_s, increment=True)


def client_address(request):
    """The caller's address, as guess budgets count it: the socket's peer, or what a trusted proxy
    says it is (studio.middleware.TrustedProxyMiddleware rewrites REMOTE_ADDR only for those).
    An IPv6 address counts as its /64, which one subscriber usually holds whole: otherwise each
    of its 2**64 addresses would bring a fresh budget."""
    address = request.META.get("REMOTE_ADDR") or "unknown"
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    return str(ipaddress.ip_network(f"{ip}/64", strict=False)) if ip.version == 6 else address
