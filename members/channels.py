"""Notification channels: reminders where staff already read (钉钉 / 企业微信 groups, SMS, e-mail).

Hazard named: a chat group is read by many and forwarded further. Every message is composed by the app
that decides it from numbers, actions, dates and a link only, never a debtor's name or an identifier, and
``post`` masks any identifier-shaped run once more before a row is written (``linkage.identity``).

The outbox works as the notices' does (``cases.delivery``): rows in the deciding transaction, a task woken on
commit (in-process with the embedded default, so a robot has the message before the request answers), a
periodic sweep for whatever a lost task, a dead worker or a robot's rate limit left pending.
"""
import logging
import re
from datetime import timedelta
from ipaddress import ip_address
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Count, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from linkage.identity import mask_identifiers_in_text
from linkage.retry import MAX_ATTEMPTS, backoff

from . import channel_senders
from .models import Channel, ChannelKind, ChannelMessage, ChannelMessageStatus, Unit
from .roles import Role, has_role

log = logging.getLogger(__name__)
MOBILE = re.compile(r"1[3-9][0-9]{9}")


def may_manage(user) -> bool:
    return user.is_authenticated and (user.is_superuser or has_role(user, Role.OFFICE))


def _require_manager(actor) -> None:
    if not may_manage(actor):
        raise PermissionDenied(_("Only the conference office or an administrator manages channels."))


def clean_target(kind: str, target: str) -> str:
    """The target as the sender needs it, or a ValidationError saying what is wrong in words."""
    target = (target or "").strip()
    if kind in (ChannelKind.DINGTALK, ChannelKind.WECOM):
        parts = urlsplit(target)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValidationError({"target": _("Enter the robot's webhook address (https://…).")})
        if parts.scheme != "https" and not settings.DEBUG:
            raise ValidationError({"target": _("A robot's webhook address must start with https://.")})
    elif kind == ChannelKind.SMS:
        digits = re.sub(r"[\s-]", "", target).removeprefix("+86")
        if not MOBILE.fullmatch(digits):
            raise ValidationError({"target": _("Enter a mainland mobile number of 11 digits.")})
        target = digits
    elif kind == ChannelKind.EMAIL:
        try:
            validate_email(target)
        except ValidationError:
            raise ValidationError({"target": _("Enter a valid e-mail address.")}) from None
    else:
        raise ValidationError({"kind": _("Choose DingTalk, WeCom, SMS or e-mail.")})
    return target


def private_target(channel) -> bool:
    """A robot address in a private or loopback range: fine in a test, a mistake in production (the
    office is warned, API.md "Channels")."""
    if not channel.is_robot:
        return False
    host = urlsplit(channel.target).hostname or ""
    try:
        address = ip_address(host)
    except ValueError:
        return host == "localhost"
    return address.is_private or address.is_loopback


def masked_target(channel) -> str:
    """What the pages show of a target: a robot's host and the last four of its token, a phone's last
    four; the token is as good as a password to post into the group."""
    if channel.is_robot:
        parts = urlsplit(channel.target)
        return f"{parts.scheme}://{parts.netloc}/…{channel.target[-4:]}"
    if channel.kind == ChannelKind.SMS:
        return f"{channel.target[:3]}****{channel.target[-4:]}"
    return channel.target


@transaction.atomic
def channel_add(*, actor, unit: Unit, kind: str, target: str, secret: str = "", user=None) -> Channel:
    _require_manager(actor)
    target = clean_target(kind, target)
    if secret and kind != ChannelKind.DINGTALK:
        raise ValidationError({"secret": _("Only a DingTalk robot signs with a secret.")})
    if user is not None and user.unit_id != unit.pk:
        raise ValidationError({"user": _("The person must belong to the unit.")})
    return Channel.objects.create(unit=unit, kind=kind, target=target, secret=(secret or "").strip(),
                                  user=user, created_by=actor if actor.pk else None)


@transaction.atomic
def channel_set_active(*, actor, channel: Channel, active: bool) -> Channel:
    _require_manager(actor)
    channel = Channel.objects.select_for_update(of=("self",), no_key=True).get(pk=channel.pk)
    channel.active = active
    if active:
        channel.failures = 0  # switched back on after a fix: judged afresh
    channel.save(update_fields=["active", "failures"])
    return channel


def channel_test(*, actor, channel: Channel) -> ChannelMessage:
    """A test message through the outbox like any other (the rate limit and the log apply), sent in the
    request: the office is waiting to see whether it arrives."""
    _require_manager(actor)
    now = timezone.now()
    with transaction.atomic():
        title = _("Test message from the enforcement linkage portal")
        body = "\n".join([f"### {title}", "",
                          _("Sent by %(who)s at %(at)s. Reminders for %(unit)s will arrive here.") % {
                              "who": actor.get_full_name() or actor.get_username(),
                              "at": timezone.localtime(now).strftime("%Y-%m-%d %H:%M"), "unit": channel.unit.name}])
        message = ChannelMessage.objects.create(
            channel=channel, key=f"test-{now.timestamp():.6f}", purpose="test", title=title, body=body,
            urgent=True)
    deliver_channel(channel.pk)
    message.refresh_from_db()
    return message


def post(*, unit_ids=(), user_id=None, key: str, purpose: str, title: str, lines: list[str], link: str = "",
         due: str = "", urgent: bool = False) -> int:
    """Queue one message to every active channel of the units (or of one person) and wake a sender after
    commit. ``key`` makes it idempotent: the same key twice is one message. Call inside the deciding
    transaction. Returns the number of channels it was queued for."""
    return post_many([dict(unit_ids=unit_ids, user_id=user_id, key=key, purpose=purpose, title=title, lines=lines,
                           link=link, due=due, urgent=urgent)])


def _compose(title: str, lines: list[str], link: str) -> tuple[str, str]:
    title = mask_identifiers_in_text(title)[:200]
    body_lines = [f"### {title}", "", *[mask_identifiers_in_text(line) for line in lines]]
    if link:
        body_lines += ["", f"[{_('Open in the portal')}]({link})"]
    return title, "\n".join(body_lines)


def post_many(messages: list[dict]) -> int:
    """``post`` for many messages at once (a batch of notices, the morning's digests): three queries
    whatever their number — the active channels of every unit and person named, the keys already queued
    on them, one insert. Returns the number of rows queued."""
    if not messages:
        return 0
    unit_ids = {u for m in messages for u in (m.get("unit_ids") or ())}
    user_ids = {m["user_id"] for m in messages if m.get("user_id") is not None}
    found = Channel.objects.filter(active=True).filter(
        Q(unit_id__in=unit_ids, user__isnull=True) | Q(user_id__in=user_ids)).values_list("id", "unit_id", "user_id")
    by_unit, by_user = {}, {}
    for channel_id, unit_id, user_id in found:
        (by_user.setdefault(user_id, []) if user_id else by_unit.setdefault(unit_id, [])).append(channel_id)
    wanted = []
    for m in messages:
        targets = (by_user.get(m["user_id"], []) if m.get("user_id") is not None
                   else [c for u in (m.get("unit_ids") or ()) for c in by_unit.get(u, [])])
        wanted += [(c, m["key"][:120], m) for c in targets]
    if not wanted:
        return 0
    already = set(ChannelMessage.objects.filter(channel_id__in={c for c, _k, _m in wanted},
                                                key__in={k for _c, k, _m in wanted})
                  .values_list("channel_id", "key"))
    rows = []
    for channel_id, key, m in wanted:
        if (channel_id, key) in already:
            continue
        already.add((channel_id, key))
        title, body = _compose(m["title"], m["lines"], m.get("link", ""))
        rows.append(ChannelMessage(channel_id=channel_id, key=key, purpose=m["purpose"], title=title, body=body,
                                   due_text=(m.get("due") or "")[:40], urgent=m.get("urgent", False)))
    if not rows:
        return 0
    # ignore_conflicts: a concurrent post of the same key (a task run twice) is one row all the same.
    ChannelMessage.objects.bulk_create(rows, ignore_conflicts=True)
    channels = sorted({r.channel_id for r in rows})
    transaction.on_commit(lambda: _wake(channels), robust=True)
    return len(rows)


def _wake(channel_ids) -> None:
    from .tasks import deliver_channel

    for channel_id in channel_ids:
        try:
            deliver_channel.delay(channel_id)
        except Exception:  # broker down: the sweep sends it
            log.warning("could not enqueue channel %s; the sweep will send it", channel_id)
            return


def _plain(body: str) -> str:
    """The markdown of a robot message as an e-mail's plain text."""
    text = re.sub(r"^#+\s*", "", body, flags=re.M)
    return re.sub(r"\[([^\]]+)\]\(([^)]+)\)", r"\1: \2", text)


def _send(channel: Channel, message: ChannelMessage) -> None:
    if channel.kind == ChannelKind.DINGTALK:
        channel_senders.send_dingtalk(channel, message.title, message.body)
    elif channel.kind == ChannelKind.WECOM:
        channel_senders.send_wecom(channel, message.title, message.body)
    elif channel.kind == ChannelKind.EMAIL:
        channel_senders.send_email(channel, message.title, _plain(message.body))
    elif channel.kind == ChannelKind.SMS:
        channel_senders.send_sms(channel, message.purpose,
                                 channel_senders.sms_params(message.title, message.due_text))
    else:
        raise channel_senders.ChannelError(f"no sender for {channel.kind}")


def deliver_channel(channel_id: int, now=None) -> int:
    """Send what is pending on one channel, urgent first, within the robot's rate (20 a minute): the
    channel row is locked while it sends, so two workers never post to one robot at once and the count of
    the last minute is exact. Safe to run twice or concurrently."""
    sent = 0
    with transaction.atomic():
        channel = (Channel.objects.select_for_update(skip_locked=True, of=("self",), no_key=True)
                   .filter(pk=channel_id).first())
        if channel is None or not channel.active:
            return 0  # another worker is sending on it (it will find these rows), or it is switched off
        now = now or timezone.now()
        rows = list(channel.messages.select_for_update(of=("self",), no_key=True)
                    .filter(status=ChannelMessageStatus.PENDING)
                    .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
                    .order_by("-urgent", "id")[:50])
        if not rows:
            return 0
        budget, oldest = len(rows), None
        if channel.is_robot:
            # The robot's rate: what it was sent in the last minute, and when the first of those went.
            recent = channel.messages.filter(sent_at__gt=now - timedelta(minutes=1)).aggregate(
                n=Count("id"), first=Min("sent_at"))
            budget, oldest = max(settings.CHANNEL_RATE_PER_MINUTE - recent["n"], 0), recent["first"]
        changed = []
        for row in rows:
            if budget <= 0:
                # Over the robot's rate: wait until the oldest send of the minute leaves the window.
                row.next_attempt_at = (oldest or now) + timedelta(minutes=1)
                changed.append(row)
                continue
            row.attempts += 1
            try:
                _send(channel, row)
            except Exception as exc:
                row.last_error = str(exc)[:1000]
                row.next_attempt_at = now + backoff(row.attempts)
                if row.attempts >= MAX_ATTEMPTS:
                    row.status = ChannelMessageStatus.DEAD
                channel.failures += 1
                channel.last_error = row.last_error
                log.warning("channel %s message %s failed (attempt %s): %s", channel.pk, row.pk, row.attempts,
                            row.last_error)
                changed.append(row)
                continue
            row.status, row.sent_at, row.last_error = ChannelMessageStatus.SENT, timezone.now(), ""
            oldest = oldest or row.sent_at
            budget -= 1
            sent += 1
            channel.failures, channel.last_sent_at = 0, row.sent_at
            changed.append(row)
        ChannelMessage.objects.bulk_update(changed, ["status", "sent_at", "attempts", "last_error", "next_attempt_at"])
        channel.save(update_fields=["failures", "last_error", "last_sent_at"])
    return sent


def pending_channel_ids(now=None, limit=1000) -> list[int]:
    now = now or timezone.now()
    return list(
        ChannelMessage.objects.filter(status=ChannelMessageStatus.PENDING, channel__active=True)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .order_by("channel_id").values_list("channel_id", flat=True).distinct()[:limit]
    )


def sweep(now=None) -> int:
    return sum(deliver_channel(channel_id, now=now) for channel_id in pending_channel_ids(now))


def channels_for(user):
    """The channels a user may manage (office, admin: all), each with its last message, in two queries."""
    from django.db.models import Prefetch

    if not may_manage(user):
        return Channel.objects.none()
    return (Channel.objects.select_related("unit", "user")
            .prefetch_related(Prefetch("messages", queryset=ChannelMessage.objects.order_by("-id")[:1],
                                       to_attr="last_messages"))
            .order_by("unit__sort_order", "unit__code", "kind", "id"))

