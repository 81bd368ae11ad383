"""The delivery outbox for notices: rows first, a task on commit, a sweep for whatever is left.

Hazard named: the Celery task is only a wake-up call. The source of truth is ``Delivery`` rows written
in the same transaction as the notice, so a task that is lost (Redis down, worker killed) is made good
by ``sweep`` and a task that runs twice finds nothing pending the second time.
"""
import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from linkage.retry import MAX_ATTEMPTS, backoff  # noqa: F401  (also read as delivery.backoff)

from .models import Delivery, DeliveryChannel, DeliveryStatus, Notice
from .notices import move_notice
from .workflow import NoticeStatus

log = logging.getLogger(__name__)
WEBHOOK_TIMEOUT_SECONDS = 10
SWEEP_BATCH = 25  # notices per task when the sweep wakes a backlog: fewer messages, same idempotence
SWEEP_GRACE = timedelta(seconds=getattr(settings, "SWEEP_GRACE_SECONDS", 30))


def _recipients(unit) -> list[str]:
    emails = [unit.contact_email] if unit.contact_email else []
    emails += [u.email for u in unit.members.filter(is_active=True, groups__name="liaison") if u.email]
    return sorted(set(emails))


def _channels(units: dict) -> dict[int, list[str]]:
    """The extra channels of each unit besides its inbox: e-mail if it has an address, webhook if its own
    system receives notices."""
    from members.models import User

    with_liaison = set(
        User.objects.filter(unit_id__in=units, is_active=True, groups__name="liaison").exclude(email="")
        .values_list("unit_id", flat=True)
    )
    channels = {}
    for unit_id, unit in units.items():
        channels[unit_id] = []
        if unit_id in with_liaison or unit.contact_email:
            channels[unit_id].append(DeliveryChannel.EMAIL)
        if unit.webhook_url:
            channels[unit_id].append(DeliveryChannel.WEBHOOK)
    return channels


def queue(notice_ids, *, purpose: str) -> None:
    """Write the outbox rows for ``purpose`` (idempotent) and wake a worker after commit."""
    notice_ids = list(notice_ids)
    if not notice_ids:
        return
    notices = list(Notice.objects.filter(pk__in=notice_ids).select_related("unit").only("id", "unit"))
    channels = _channels({n.unit_id: n.unit for n in notices})
    rows = []
    for notice in notices:
        rows.append(Delivery(notice=notice, channel=DeliveryChannel.INBOX, purpose=purpose))
        rows += [Delivery(notice=notice, channel=channel, purpose=purpose) for channel in channels[notice.unit_id]]
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)
    if not purpose.startswith("remind"):  # reminders go to the chat groups as one morning digest
        post_to_channels(notice_ids, purpose=purpose)
    transaction.on_commit(lambda: _wake(notice_ids), robust=True)


def _due_text(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def post_to_channels(notice_ids, *, purpose: str) -> int:
    """Each notice, its cancellation or its return to the chat groups (robots, SMS) of its unit: the
    notice and case numbers, the action, the date and a link; never a debtor or an identifier (a group
    chat is read by many). One query when no unit has a channel; a batch is queued in three more."""
    from members.channels import post_many
    from members.models import Channel

    with_channels = set(Channel.objects.filter(active=True, user__isnull=True, unit__notices__in=notice_ids)
                        .values_list("unit_id", flat=True))
    if not with_channels:
        return 0
    notices = (Notice.objects.filter(pk__in=notice_ids, unit_id__in=with_channels)
               .select_related("case", "action").only("id", "number", "kind", "partial", "unit_id", "due_at",
                                                      "ack_due_at", "case__number", "action__name",
                                                      "action__code", "action__release_name"))
    messages = []
    with translation.override(settings.LANGUAGE_CODE):
        for notice in notices:
            if purpose == "cancel":
                title = _("Notice %(number)s cancelled") % {"number": notice.number}
            elif purpose.startswith("return"):
                title = _("Answer to notice %(number)s returned for correction") % {"number": notice.number}
            else:
                title = _("New: %(action)s, notice %(number)s") % {"action": notice.action_label,
                                                                    "number": notice.number}
            lines = [f"- {_('Case: %(case)s') % {'case': notice.case.number}}",
                     f"- {_('Action: %(action)s') % {'action': notice.action_label}}"]
            if purpose != "cancel":
                lines += [f"- {_('Acknowledge by: %(due)s') % {'due': _due_text(notice.ack_due_at)}}",
                          f"- {_('Answer by: %(due)s') % {'due': _due_text(notice.due_at)}}"]
            messages.append(dict(
                unit_ids=[notice.unit_id], key=f"notice-{notice.pk}-{purpose}", purpose="notice", title=title,
                lines=lines, link=absolute_url(reverse("cases:notice-detail", args=[notice.pk])),
                due="" if purpose == "cancel" else _due_text(notice.due_at),
                # 出警 is asked for while the officers stand at the scene: first in the queue.
                urgent=notice.action.code == "dispatch"))
    return post_many(messages)


def post_digests(now=None) -> int:
    """The morning digest: one message a day per unit with a channel, listing what waits for it (to
    acknowledge or answer today or tomorrow, overdue), instead of a reminder per notice. The key is the
    day, so a second run the same day sends nothing."""
    from members.channels import post_many
    from members.models import Channel

    now = now or timezone.now()
    today = timezone.localdate(now)
    stamp = today.strftime("%Y%m%d")
    units = set(Channel.objects.filter(active=True, user__isnull=True).values_list("unit_id", flat=True))
    if not units:
        return 0
    horizon = now + timedelta(days=2)
    open_statuses = (NoticeStatus.ISSUED, NoticeStatus.DELIVERED, NoticeStatus.ACKNOWLEDGED)
    rows = (Notice.objects.filter(unit_id__in=units, status__in=open_statuses)
            .filter(Q(due_at__lte=horizon) | Q(ack_due_at__lte=horizon, acknowledged_at__isnull=True))
            .select_related("action").only("id", "number", "unit_id", "due_at", "ack_due_at", "acknowledged_at",
                                           "kind", "partial", "action__name", "action__release_name")
            .order_by("unit_id", "due_at"))
    by_unit = {}
    for notice in rows:
        by_unit.setdefault(notice.unit_id, []).append(notice)
    messages = []
    with translation.override(settings.LANGUAGE_CODE):
        for unit_id, notices in by_unit.items():
            overdue = [n for n in notices if n.due_at < now
                       or (n.acknowledged_at is None and n.ack_due_at < now)]
            lines = [_("%(due)s due within two days, %(overdue)s overdue.") % {
                "due": len(notices) - len(overdue), "overdue": len(overdue)}, ""]
            for notice in notices[:10]:
                state = _("overdue") if notice in overdue else _("due %(due)s") % {"due": _due_text(notice.due_at)}
                link = absolute_url(reverse("cases:notice-detail", args=[notice.pk]))
                lines.append(f"- [{notice.number}]({link}) {notice.action_label}, {state}")
            if len(notices) > 10:
                lines.append(_("… and %(more)s more in the inbox.") % {"more": len(notices) - 10})
            messages.append(dict(unit_ids=[unit_id], key=f"digest-{stamp}", purpose="digest",
                                 title=_("Today's notices: %(count)s waiting") % {"count": len(notices)},
                                 lines=lines, link=absolute_url(reverse("cases:inbox"))))
    return post_many(messages)


def _wake(notice_ids) -> None:
    from .tasks import deliver_notice

    for notice_id in notice_ids:
        try:
            deliver_notice.delay(notice_id)
        except Exception:  # broker down: the sweep will deliver it
            log.warning("could not enqueue delivery of notice %s; the sweep will send it", notice_id)
            return


def _masked(party: dict) -> str:
    """A person's ID number as an e-mail may carry it: masked even for the unit that sees it in full in
    the portal (mail is copied and forwarded); an organisation's credit code is public and stays."""
    from linkage.identity import mask_identifier

    value = party["id_number"]
    if not value or party["kind"] == "organization" or "*" in value:
        return value
    return mask_identifier(value, party["kind"])


def absolute_url(path: str) -> str:
    """``path`` on the portal as its users reach it (``SITE_URL``)."""
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def _compose(row: Delivery) -> tuple[str, str]:
    """The e-mail to the notice's unit: the debtor concerned with the identifier masked, free text
    masked; the subject carries the notice's number and its deadline, the link is absolute."""
    from . import disclosure

    notice = row.notice
    unit = notice.unit  # the reader: the unit's liaison and its contact address
    with translation.override(settings.LANGUAGE_CODE):
        link = absolute_url(reverse("cases:notice-detail", args=[notice.pk]))
        due = timezone.localtime(notice.due_at).strftime("%Y-%m-%d %H:%M")
        if row.purpose == "cancel":
            subject = _("Notice %(number)s cancelled") % {"number": notice.number}
        elif row.purpose.startswith("return"):
            subject = _("Answer to notice %(number)s returned for correction") % {"number": notice.number}
        elif row.purpose.startswith("remind"):
            subject = _("Reminder: notice %(number)s is overdue") % {"number": notice.number}
        elif notice.kind in ("release", "renewal", "push", "withdraw"):
            subject = f"{notice.get_kind_display()} {notice.number}"
        else:
            subject = _("Assistance notice %(number)s") % {"number": notice.number}
        if row.purpose.startswith("remind-ack"):
            ack_due = timezone.localtime(notice.ack_due_at).strftime("%Y-%m-%d %H:%M")
            subject = _("%(subject)s, acknowledge by %(due)s") % {"subject": subject, "due": ack_due}
        elif row.purpose != "cancel":
            subject = _("%(subject)s, answer by %(due)s") % {"subject": subject, "due": due}
        body = "\n".join([
            subject,
            _("Case: %(case)s") % {"case": notice.case.number},
            _("Action: %(action)s") % {"action": notice.action_label},  # 解除冻结 for a release
            *[_("Judgment debtor concerned: %(name)s (%(id)s)") % {"name": p["name"], "id": _masked(p)}
              for p in disclosure.parties_for(unit, notice)],
            _("Subject: %(subject)s") % {"subject": disclosure.free_text(notice.subject)},
            *_structured_lines(disclosure.structured_for(unit, notice)),
            _("Answer by: %(due)s") % {"due": due},
            _("Open it in the portal: %(link)s") % {"link": link},
        ])
    return subject, body


def _structured_lines(structured) -> list[str]:
    if not structured:
        return []
    lines = []
    if structured["asset_kind_label"] or structured["account"]:
        lines.append(_("Account or property: %(what)s") % {
            "what": " ".join(v for v in (structured["asset_kind_label"], structured["account"]) if v)})
    if structured["amount_text"]:
        lines.append(_("Amount: %(amount)s yuan") % {"amount": structured["amount_text"]})
    return lines


def _send(row: Delivery) -> None:
    if row.channel == DeliveryChannel.INBOX:
        return  # the inbox is the notice row itself; recording the delivery is the delivery
    if row.channel == DeliveryChannel.EMAIL:
        recipients = _recipients(row.notice.unit)
        if recipients:
            subject, body = _compose(row)
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
        return
    if row.channel == DeliveryChannel.WEBHOOK:
        _post_webhook(row)
        return
    raise ValueError(f"no sender for channel {row.channel}")


def webhook_payload(row: Delivery) -> dict:
    from linkage.identity import mask_identifiers_in_text

    from .disclosure import account_for, parties_for

    notice = row.notice
    return {
        "event": row.purpose, "delivery": row.pk,
        "notice": {
            "id": notice.pk, "number": notice.number, "kind": notice.kind, "status": notice.status,
            "case": {"id": notice.case_id, "number": notice.case.number},
            "unit": notice.unit.code, "action": notice.action.code,
            "subject": mask_identifiers_in_text(notice.subject),
            # The unit's own system reads what its liaison would (cases.disclosure).
            "debtors": [{k: p[k] for k in ("id", "name", "kind", "id_number")}
                        for p in parties_for(notice.unit, notice)],
            "asset_kind": notice.asset_kind, "account": account_for(notice.unit, notice),
            "amount": str(notice.amount) if notice.amount is not None else None,
            "original": notice.original_id,
            "ack_due_at": notice.ack_due_at.isoformat(), "due_at": notice.due_at.isoformat(),
        },
    }


def _post_webhook(row: Delivery) -> None:
    """POST the signed JSON; anything but a 2xx answer is a failure to retry later."""
    import json
    import time
    import urllib.request

    from members.integration import (
        DELIVERY_HEADER,
        SIGNATURE_HEADER,
        TIMESTAMP_HEADER,
        ensure_webhook_secret,
        sign,
    )

    unit = row.notice.unit
    body = json.dumps(webhook_payload(row), ensure_ascii=False, sort_keys=True).encode()
    timestamp = int(time.time())
    request = urllib.request.Request(unit.webhook_url, data=body, method="POST", headers={
        "Content-Type": "application/json; charset=utf-8",
        TIMESTAMP_HEADER: str(timestamp),
        # The delivery id (the receiver's idempotency key) is signed with the time and the body.
        SIGNATURE_HEADER: sign(ensure_webhook_secret(unit), timestamp, body, delivery=row.pk),
        DELIVERY_HEADER: str(row.pk),
    })
    with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_SECONDS) as response:  # noqa: S310
        if not 200 <= response.status < 300:
            raise OSError(f"webhook answered {response.status}")


def deliver_pending(notice_id: int) -> int:
    """Send every pending outbox row of one notice; safe to run twice or concurrently."""
    sent = 0
    with transaction.atomic():
        rows = list(
            Delivery.objects.select_for_update(skip_locked=True, of=("self",), no_key=True)
            .filter(notice_id=notice_id, status=DeliveryStatus.PENDING)
            .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=timezone.now()))
            .select_related("notice__unit", "notice__case", "notice__action")
        )
        if not rows:
            return 0
        now = timezone.now()
        inbox_issued = False
        for row in rows:
            if row.purpose == "issue" and row.notice.status == NoticeStatus.CANCELLED:
                # Cancelled before it went out: the unit gets the cancellation, not a stale notice.
                row.status = DeliveryStatus.SKIPPED
                continue
            row.attempts += 1
            try:
                _send(row)
            except Exception as exc:
                row.last_error = repr(exc)[:1000]
                row.next_attempt_at = now + backoff(row.attempts)
                if row.attempts >= MAX_ATTEMPTS:
                    row.status = DeliveryStatus.DEAD  # shown in the admin for someone to look at
                log.warning("delivery %s (%s) failed, attempt %s", row.pk, row.channel, row.attempts)
                continue
            row.status, row.sent_at = DeliveryStatus.SENT, now
            sent += 1
            inbox_issued |= row.channel == DeliveryChannel.INBOX and row.purpose == "issue"
        Delivery.objects.bulk_update(rows, ["status", "sent_at", "attempts", "last_error", "next_attempt_at"])
        if inbox_issued:
            notice = Notice.objects.select_for_update(of=("self",), no_key=True).get(pk=notice_id)
            if notice.status == NoticeStatus.ISSUED:
                move_notice(notice, "deliver", actor=None, delivered_at=now)
    return sent


def pending_notice_ids(*, older_than=SWEEP_GRACE, limit=1000) -> list[int]:
    now = timezone.now()
    cutoff = now - older_than
    return list(
        Delivery.objects.filter(status=DeliveryStatus.PENDING, created_at__lte=cutoff)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .order_by("notice_id").values_list("notice_id", flat=True).distinct()[:limit]
    )


def sweep(*, older_than=SWEEP_GRACE, limit=1000) -> int:
    """Deliver, in this process, what a lost task left pending (the command and the embedded default)."""
    count = 0
    for notice_id in pending_notice_ids(older_than=older_than, limit=limit):
        count += deliver_pending(notice_id)
    return count


def sweep_fan_out(*, older_than=SWEEP_GRACE, limit=5000) -> int:
    """With workers: wake one delivery task per notice still pending, so every worker shares the backlog
    (after a Redis outage that may be thousands). A notice woken twice is delivered once."""
    from .tasks import deliver_notices

    ids = pending_notice_ids(older_than=older_than, limit=limit)
    for start in range(0, len(ids), SWEEP_BATCH):
        deliver_notices.delay(ids[start:start + SWEEP_BATCH])
    return len(ids)


def queue_reminders(now=None) -> int:
    """One reminder (催办) a day for each notice overdue to acknowledge or to answer."""
    now = now or timezone.now()
    stamp = timezone.localtime(now).strftime("%Y%m%d")
    ack_ids = list(Notice.objects.ack_overdue(now).values_list("id", flat=True))
    answer_ids = list(Notice.objects.answer_overdue(now).exclude(id__in=ack_ids).values_list("id", flat=True))
    queue(ack_ids, purpose=f"remind-ack-{stamp}")
    queue(answer_ids, purpose=f"remind-answer-{stamp}")
    return len(ack_ids) + len(answer_ids)
