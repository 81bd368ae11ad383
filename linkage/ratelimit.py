"""Rate limits kept in the shared cache (``CACHE_URL``; ``linkage.checks`` fails ``check --deploy``
without one, since a per-process cache gives every worker its own counters).

``hit(scope, ident, rate)`` counts one request (or ``n``) in a fixed window and says whether it is within
the limit; ``per_client(scope)`` throttles a public view per client address (``PUBLIC_RATE_LIMITS``)."""
import functools
import time

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render
from django.utils.translation import gettext as _

PERIODS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600, "hour": 3600,
           "d": 86400, "day": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """``"60/min"`` → (60, 60)."""
    count, _sep, period = str(rate).partition("/")
    return int(count), PERIODS[period.strip().lower()]


def hit(scope: str, ident, rate: str, n: int = 1) -> bool:
    """Count ``n`` requests of ``ident`` in ``scope``; ``False`` when that goes over ``rate``."""
    limit, period = parse_rate(rate)
    window = int(time.time() // period)
    key = f"ratelimit:{scope}:{ident}:{window}"
    cache.add(key, 0, period + 1)
    try:
        count = cache.incr(key, n)
    except ValueError:  # expired between add and incr
        cache.add(key, n, period + 1)
        count = n
    return count <= limit


def client_ip(request) -> str:
    """The client's address: ``REMOTE_ADDR``, or, behind ``TRUSTED_PROXIES`` reverse proxies, the address
    the nearest untrusted hop gave (the proxies append to ``X-Forwarded-For``)."""
    proxies = getattr(settings, "TRUSTED_PROXIES", 0)
    if proxies:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def too_many(request, message: str | None = None):
    response = render(request, "ratelimited.html", {
        "message": message or _("Too many requests from your address; wait a minute and try again.")},
        status=429)
    response["Retry-After"] = "60"
    return response


def per_client(scope: str):
    """Throttle a public (no login) view per client address at ``PUBLIC_RATE_LIMITS[scope]``."""

    def decorate(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            rate = settings.PUBLIC_RATE_LIMITS.get(scope)
            if rate and not hit(scope, client_ip(request), rate):
                return too_many(request)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
