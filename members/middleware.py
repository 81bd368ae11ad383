"""Idle and absolute session time-outs for the browser."""
import time

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login


class SessionTimeoutMiddleware:
    """Sign the user out after SESSION_IDLE_SECONDS without a request, or SESSION_ABSOLUTE_SECONDS after
    signing in, whichever comes first. API calls with a token carry no session and are not affected."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            started = request.session.setdefault("signed_in_at", now)
            last = request.session.get("last_seen_at", now)
            if now - last > settings.SESSION_IDLE_SECONDS or now - started > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
                return redirect_to_login(request.get_full_path())
            # Write at most once a minute: a session save on every request would be wasted work.
            if now - last >= 60 or "last_seen_at" not in request.session:
                request.session["last_seen_at"] = now
        return self.get_response(request)
