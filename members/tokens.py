"""Users' API tokens (``POST /api/v1/auth/token/``): one live token per user, valid for
``API_TOKEN_LIFETIME_DAYS`` and only while the user's password and session epoch are those it was issued
under. Asking again renews: a fresh token, the old one revoked."""
import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from rest_framework.authtoken.models import Token

from .models import ApiTokenIssue


def uses_api(user) -> bool:
    """Who is offered API tokens (the top bar's account menu, ``/accounts/tokens/``): a member unit's
    liaison officer, whose unit's systems call the API as them, and the staff who run the portal. The
    court's and the conference's people work in the pages and never see it."""
    if not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser:
        return True
    from .roles import Role, has_role

    return bool(user.unit_id) and has_role(user, Role.LIAISON, Role.UNIT_SYSTEM)


def lifetime() -> timedelta:
    return timedelta(days=settings.API_TOKEN_LIFETIME_DAYS)


@transaction.atomic
def token_issue(user, *, renew: bool = True) -> Token:
    """A fresh token for ``user``, revoking any earlier one. ``renew=False`` returns the user's current
    token instead when it is still valid (test clients that sign in twice)."""
    if not renew:
        current = Token.objects.filter(user=user).select_related("issue").first()
        if current is not None and token_problem(current) is None:
            return current
    Token.objects.filter(user=user).delete()  # the issue row goes with it
    token = Token.objects.create(user=user)
    now = timezone.now()
    ApiTokenIssue.objects.create(token=token, auth_hash=user.get_session_auth_hash(), issued_at=now,
                                 expires_at=now + lifetime())
    return token


def token_problem(token: Token, now=None) -> str | None:
    """Why ``token`` may not be used (``"unissued"``, ``"expired"``, ``"revoked"``), or ``None``."""
    try:
        issue = token.issue
    except ApiTokenIssue.DoesNotExist:
        return "unissued"
    if (now or timezone.now()) >= issue.expires_at:
        return "expired"
    if not token.user.is_active or not constant_time_compare(issue.auth_hash, token.user.get_session_auth_hash()):
        return "revoked"
    return None


def touch(token: Token, now=None) -> None:
    """Record the use, at most once a minute (not a write on every call)."""
    now = now or timezone.now()
    issue = token.issue
    if issue.last_used_at is None or now - issue.last_used_at >= timedelta(minutes=1):
        ApiTokenIssue.objects.filter(pk=issue.pk).update(last_used_at=now)
        issue.last_used_at = now


def tokens_of(user):
    """The user's tokens with their issue rows, for the tokens page."""
    return Token.objects.filter(user=user).select_related("issue", "user").order_by("-created")


def token_ref(token: Token) -> str:
    """A name for a token on a page that is not the token itself."""
    return hashlib.sha256(token.key.encode()).hexdigest()[:16]


def token_revoke(*, actor, ref: str) -> bool:
    """Revoke one of ``actor``'s own tokens, named by ``token_ref``; nobody else's is ever touched."""
    for token in Token.objects.filter(user=actor):
        if constant_time_compare(token_ref(token), ref or ""):
            token.delete()
            return True
    return False
