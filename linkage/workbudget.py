"""A budget of work per client for the expensive endpoints (issue 29): verification of an uploaded PDF,
the bulk credit check, a unit's answer with attachments.

A rate limit (``linkage.ratelimit``) counts requests; one request of these costs from a millisecond to
seconds of CPU depending on what is sent, so they are also bounded by the work they cost, per client
(a signed-in user, or the client address of an anonymous visitor, ``linkage.ratelimit.client_ip``), on
the shared cache (``settings.CACHES["default"]``: Redis in production, so every worker sees the same
counts):

* **CPU seconds per minute**: the CPU time the request's thread actually spent inside the budget
  (``time.thread_time``) is charged to the client after the work. The account is a leaky bucket
  (GCRA): each CPU second charged moves the client's "paid until" time forward by
  ``60 / allowance`` seconds; a client may start expensive work while it owes less than one minute's
  allowance (``WORK_BUDGET_CPU_SECONDS_PER_MINUTE`` signed in,
  ``WORK_BUDGET_ANONYMOUS_CPU_SECONDS_PER_MINUTE`` anonymous), else it is refused with 429 and
  ``Retry-After`` (the seconds until it may start again).
  The request that crosses the allowance finishes (its cost is bounded by the PDF check's own
  budget); the next one waits.
* **at most ``WORK_BUDGET_CONCURRENT`` (1) expensive requests in flight per client**: a busy mark is
  taken with ``cache.add`` (atomic, with a TTL of ``WORK_BUDGET_BUSY_SECONDS`` should a worker die
  mid-request) and released when the work ends; a second request meanwhile is refused at once with
  429 (never queued), so one client keeps at most one worker busy with them.

* **at most ``WORK_BUDGET_SERVER_CONCURRENT`` (2) expensive requests in flight in the whole deployment**:
  many clients each within their own budget cannot take every worker from the other pages; a request
  waits up to ``WORK_BUDGET_SERVER_WAIT_SECONDS`` for a slot, then is refused with 429.

All expensive endpoints share one budget per client. Inside it, every PDF checked shares one inspection
budget of objects and time (``linkage.uploads.inspection_budget``).

Use::

    from linkage.workbudget import expensive, work_budget

    @expensive("verify")                       # a function view: a refusal is the 429 page
    def verify(request): ...

    class BulkCheckView(APIView):
        @expensive("credit_bulk")              # a DRF method: a refusal is DRF's 429 (Throttled)
        def post(self, request): ...

    with work_budget(request, "answer"):       # around a part of a view; raises WorkRefused
        ...

``expensive(scope, when=callable)`` applies the budget only when ``when(request)`` is true (an answer
that carries files). ``WorkRefused`` is a DRF ``Throttled``: raised in a DRF view it becomes a 429 with
``Retry-After``; ``refused_response(request, exc)`` renders it for a browser page.
"""
import contextlib
import functools
import math
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _
from rest_framework.exceptions import Throttled

from .ratelimit import client_ip, too_many
from .uploads import inspection_budget

WINDOW = 60.0  # the allowance is per minute
WORK_BUDGET_CPU_SECONDS_PER_MINUTE = 5.0
WORK_BUDGET_ANONYMOUS_CPU_SECONDS_PER_MINUTE = 2.0
WORK_BUDGET_CONCURRENT = 1
WORK_BUDGET_BUSY_SECONDS = 120
# Server-wide: at most so many expensive requests of all clients at once (0: no cap), so that many
# clients each within their own budget cannot take every worker from the pages; a request waits up to
# WORK_BUDGET_SERVER_WAIT_SECONDS for a slot (a clerk's answer is delayed, not refused), then 429.
WORK_BUDGET_SERVER_CONCURRENT = 2
WORK_BUDGET_SERVER_WAIT_SECONDS = 5.0
_SERVER_POLL_SECONDS = 0.05

sleep = time.sleep  # replaced in tests

# The clocks, as module attributes so that a test can replace them (no real timings in tests).
cpu_time = time.thread_time  # CPU of this thread: a threaded server's other requests are not charged
wall_time = time.time  # shared by every worker: the "paid until" times are wall-clock timestamps


def _setting(name: str):
    return getattr(settings, name, globals()[name])


class WorkRefused(Throttled):
    """429: the client's work budget is spent, or another expensive request of it is in flight."""

    def __init__(self, *, busy: bool, wait: float, server: bool = False):
        self.busy = busy
        if server:
            message = _("The server is busy checking other files; try again in a few seconds.")
        elif busy:
            message = _("Another request of yours that takes the server much work is still running; wait "
                        "for it to finish and try again.")
        else:
            message = _("You have used the server work allowed per minute for checking files; try again "
                        "in %(seconds)s seconds.") % {"seconds": max(1, math.ceil(wait))}
        # No ``wait`` to DRF's constructor: it would append its own "expected available in …" to a message
        # that already says when; the handler still sends Retry-After from ``self.wait``.
        super().__init__(detail=message)
        self.wait = max(1, math.ceil(wait))
        self.message = message


def client_key(request) -> tuple[str, bool]:
    """(the budget's key, signed in?): the user for a signed-in request (session or token), else the
    client address as the rate limits see it."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}", True
    return f"addr:{client_ip(request)}", False


def allowance(authenticated: bool) -> float:
    """CPU seconds per minute; 0 or None: no CPU budget."""
    name = ("WORK_BUDGET_CPU_SECONDS_PER_MINUTE" if authenticated
            else "WORK_BUDGET_ANONYMOUS_CPU_SECONDS_PER_MINUTE")
    return float(_setting(name) or 0)


def _paid_key(ident: str) -> str:
    return f"workbudget:paid:{ident}"


def _busy_key(ident: str, slot: int) -> str:
    return f"workbudget:busy:{ident}:{slot}"


def owed(ident: str, authenticated: bool, now: float | None = None) -> float:
    """CPU seconds the client still owes (0 when its budget is whole)."""
    per_minute = allowance(authenticated)
    if not per_minute:
        return 0.0
    now = wall_time() if now is None else now
    paid_until = cache.get(_paid_key(ident))
    if paid_until is None or paid_until <= now:
        return 0.0
    return (paid_until - now) * per_minute / WINDOW


def charge(ident: str, authenticated: bool, cpu_seconds: float) -> None:
    """Charge ``cpu_seconds`` of work to the client (the budget's own bookkeeping; tests and callers
    that measure elsewhere may call it)."""
    per_minute = allowance(authenticated)
    if not per_minute or cpu_seconds <= 0:
        return
    now = wall_time()
    key = _paid_key(ident)
    paid_until = max(cache.get(key) or now, now) + cpu_seconds * WINDOW / per_minute
    # Read-modify-write: the concurrency cap keeps one expensive request per client at a time, so two
    # charges of one client do not race (but for a busy mark expired after WORK_BUDGET_BUSY_SECONDS).
    cache.set(key, paid_until, timeout=math.ceil(paid_until - now) + 1)


def _refuse_if_spent(ident: str, authenticated: bool) -> None:
    per_minute = allowance(authenticated)
    if not per_minute:
        return
    now = wall_time()
    debt = owed(ident, authenticated, now)
    if debt >= per_minute:
        # It may start again once it owes less than a minute's allowance.
        raise WorkRefused(busy=False, wait=(debt - per_minute) * WINDOW / per_minute + 1)


def _take_slot(ident: str) -> str | None:
    """A busy mark of the client's, or None when all ``WORK_BUDGET_CONCURRENT`` are taken."""
    slots = int(_setting("WORK_BUDGET_CONCURRENT") or 0)
    if slots <= 0:
        return ""  # no cap
    ttl = int(_setting("WORK_BUDGET_BUSY_SECONDS"))
    mark = uuid.uuid4().hex
    for slot in range(slots):
        key = _busy_key(ident, slot)
        if cache.add(key, mark, timeout=ttl):
            return key
    return None


def _take_server_slot() -> str | None:
    """One of the deployment's ``WORK_BUDGET_SERVER_CONCURRENT`` slots for expensive work, waiting up to
    ``WORK_BUDGET_SERVER_WAIT_SECONDS`` for one to free; None if none did."""
    slots = int(_setting("WORK_BUDGET_SERVER_CONCURRENT") or 0)
    if slots <= 0:
        return ""
    ttl = int(_setting("WORK_BUDGET_BUSY_SECONDS"))
    mark = uuid.uuid4().hex
    waited, most = 0.0, float(_setting("WORK_BUDGET_SERVER_WAIT_SECONDS"))
    while True:
        for slot in range(slots):
            key = f"workbudget:server:{slot}"
            if cache.add(key, mark, timeout=ttl):
                return key
        if waited >= most:
            return None
        sleep(_SERVER_POLL_SECONDS)
        waited += _SERVER_POLL_SECONDS


def _release(key: str) -> None:
    if key:
        cache.delete(key)


@contextlib.contextmanager
def work_budget(request, scope: str = "expensive"):
    """Run the block as one expensive request of the client: refused (``WorkRefused``) when another is in
    flight or its CPU budget is spent; the thread's CPU time in the block is charged; every PDF checked
    in it shares one inspection budget. ``scope`` names the endpoint (for the reader; one budget per client
    covers all of them)."""
    ident, authenticated = client_key(request)
    busy = _take_slot(ident)
    if busy is None:
        raise WorkRefused(busy=True, wait=1)
    try:
        _refuse_if_spent(ident, authenticated)
        server = _take_server_slot()
        if server is None:
            raise WorkRefused(busy=True, wait=2, server=True)
        try:
            started = cpu_time()
            try:
                with inspection_budget():
                    yield
            finally:
                charge(ident, authenticated, cpu_time() - started)
        finally:
            _release(server)
    finally:
        _release(busy)


def refused_response(request, exc: WorkRefused):
    """The 429 page of a browser request, with ``Retry-After``."""
    response = too_many(request, exc.message)
    response["Retry-After"] = str(exc.wait)
    return response


def _request_of(args):
    """The request among a view's arguments: the first for a function view, the second for a method."""
    for arg in args[:2]:
        if hasattr(arg, "META") and hasattr(arg, "method"):
            return arg
    raise TypeError("expensive(): no request among the view's first two arguments")


def _is_drf(request) -> bool:
    from rest_framework.request import Request

    return isinstance(request, Request)


def expensive(scope: str = "expensive", *, when=None):
    """Decorate a function view or a DRF view method with the client's work budget (``work_budget``).
    ``when(request) -> bool``: only then (e.g. only a POST, only when files were sent). Refused: a DRF
    view raises ``WorkRefused`` (429 with ``Retry-After`` through DRF's handler), a function view returns
    the 429 page."""

    def decorate(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            request = _request_of(args)
            if when is not None and not when(request):
                return view(*args, **kwargs)
            try:
                with work_budget(request, scope):
                    return view(*args, **kwargs)
            except WorkRefused as refused:
                if _is_drf(request):
                    raise
                return refused_response(request, refused)

        return wrapped

    return decorate
