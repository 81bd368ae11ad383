"""Point-to-point integration with a unit's own system.

Outbound: every notice message for a unit with a ``webhook_url`` is POSTed as JSON, signed with
HMAC-SHA256 over ``"{timestamp}.{delivery}.{body}"`` with the unit's secret; the receiver checks the
signature, that the timestamp is within ``REPLAY_WINDOW_SECONDS``, and acts on each delivery id once
(docs/integration.md). The delivery id is signed, so a captured request cannot be replayed under a new id.

Inbound: a ``UnitApiToken`` authenticates the unit's system as that unit's system user, which may list,
read, acknowledge and answer the unit's notices and do nothing else (``UnitSystemScope``).
"""
import hashlib
import hmac
import secrets
import time

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from rest_framework import authentication, exceptions, permissions

from .models import Unit, UnitApiToken, User
from .roles import Role

REPLAY_WINDOW_SECONDS = 300
SIGNATURE_HEADER = "X-Linkage-Signature"
TIMESTAMP_HEADER = "X-Linkage-Timestamp"
DELIVERY_HEADER = "X-Linkage-Delivery"
TOKEN_PREFIX = "UnitToken"


def sign(secret: str, timestamp: int, body: bytes, delivery: str | int = "") -> str:
    """Hex HMAC-SHA256 of ``"{timestamp}.{delivery}.{body}"``: the time, the delivery id (the receiver's
    idempotency key) and the body are bound together."""
    message = f"{timestamp}.{delivery}.".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify(secret: str, timestamp: str, body: bytes, signature: str, now: float | None = None,
           delivery: str | int | None = "") -> bool:
    """What a receiver does: constant-time compare over the signed time, delivery id and body, and refuse
    anything outside the replay window."""
    try:
        ts = int(timestamp)
    except (TypeError, ValueError):
        return False
    if abs((now or time.time()) - ts) > REPLAY_WINDOW_SECONDS:
        return False
    return hmac.compare_digest(sign(secret, ts, body, "" if delivery is None else delivery), signature or "")


def ensure_webhook_secret(unit: Unit) -> str:
    if not unit.webhook_secret:
        unit.webhook_secret = secrets.token_hex(32)
        unit.save(update_fields=["webhook_secret"])
    return unit.webhook_secret


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def system_user(unit: Unit) -> User:
    """The unit's system account: a member of the unit with the ``unit_system`` role (no password)."""
    user, created = User.objects.get_or_create(
        username=f"system-{unit.code}", defaults={"unit": unit, "first_name": f"{unit.name}系统接口"})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    if not user.groups.filter(name=Role.UNIT_SYSTEM).exists():
        user.groups.add(Group.objects.get(name=Role.UNIT_SYSTEM))
    return user


@transaction.atomic
def token_create(*, unit: Unit, name: str = "") -> str:
    """Make a token for the unit's system and return it; only its hash is kept."""
    system_user(unit)
    key = secrets.token_urlsafe(32)
    UnitApiToken.objects.create(unit=unit, name=name, key_hash=_hash(key), prefix=key[:8])
    return key


class UnitTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: UnitToken <key>`` → the unit's system user."""

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].decode(errors="ignore") != TOKEN_PREFIX:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Invalid unit token header.")
        token = (UnitApiToken.objects.select_related("unit")
                 .filter(key_hash=_hash(header[1].decode(errors="ignore")), revoked=False).first())
        if token is None or not token.unit.active:
            raise exceptions.AuthenticationFailed("Invalid or revoked unit token.")
        UnitApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        return system_user(token.unit), token

    def authenticate_header(self, request):
        return TOKEN_PREFIX


class UnitSystemScope(permissions.BasePermission):
    """A unit system token may only list, read, acknowledge and answer notices."""

    ALLOWED = {("notice", "list"), ("notice", "retrieve"), ("notice", "acknowledge"), ("notice", "answer")}

    def has_permission(self, request, view):
        if not isinstance(request.auth, UnitApiToken):
            return True
        basename = getattr(view, "basename", None)
        return (basename, getattr(view, "action", None)) in self.ALLOWED
