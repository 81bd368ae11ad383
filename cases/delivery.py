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
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .models import Delivery, DeliveryChannel, DeliveryStatus, Notice
from .workflow import NoticeStatus

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8
SWEEP_GRACE = timedelta(seconds=30)


def _recipients(unit) -> list[str]:
    emails = [unit.contact_email] if unit.contact_email else []
    emails += [u.email for u in unit.members.filter(is_active=True, groups__name="liaison") if u.email]
    return sorted(set(emails))


def _units_with_email(units: dict) -> set[int]:
    """Ids of the units that have somewhere to send e-mail: their own address or a liaison's."""
    from members.models import User

    with_liaison = set(
        User.objects.filter(unit_id__in=units, is_active=True, groups__name="liaison").exclude(email="")
        .values_list("unit_id", flat=True)
    )
    return with_liaison | {unit_id for unit_id, unit in units.items() if unit.contact_email}


def queue(notice_ids, *, purpose: str) -> None:
    """Write the outbox rows for ``purpose`` (idempotent) and wake a worker after commit."""
    notice_ids = list(notice_ids)
    if not notice_ids:
        return
    notices = list(Notice.objects.filter(pk__in=notice_ids).select_related("unit").only("id", "unit"))
    email_units = _units_with_email({n.unit_id: n.unit for n in notices})
    rows = []
    for notice in notices:
        rows.append(Delivery(notice=notice, channel=DeliveryChannel.INBOX, purpose=purpose))
        if notice.unit_id in email_units:
            rows.append(Delivery(notice=notice, channel=DeliveryChannel.EMAIL, purpose=purpose))
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)
    transaction.on_commit(lambda: _wake(notice_ids), robust=True)


def _wake(notice_ids) -> None:
    from .tasks import deliver_notice

    for notice_id in notice_ids:
        try:
            deliver_notice.delay(notice_id)
        except Exception:  # broker down: the sweep will deliver it
            log.warning("could not enqueue delivery of notice %s; the sweep will send it", notice_id)
            return


def _compose(row: Delivery) -> tuple[str, str]:
    notice = row.notice
    with translation.override(settings.LANGUAGE_CODE):
        link = reverse("cases:notice-detail", args=[notice.pk])
        if row.purpose == "cancel":
            subject = _("Notice %(number)s cancelled") % {"number": notice.number}
        elif row.purpose.startswith("remind"):
            subject = _("Reminder: notice %(number)s is overdue") % {"number": notice.number}
        elif notice.kind == "release":
            subject = _("Release notice %(number)s") % {"number": notice.number}
        else:
            subject = _("Assistance notice %(number)s") % {"number": notice.number}
        body = "\n".join([
            subject,
            _("Case: %(case)s") % {"case": notice.case.number},
            _("Action: %(action)s") % {"action": notice.action.name},
            _("Subject: %(subject)s") % {"subject": notice.subject},
            _("Answer by: %(due)s") % {"due": timezone.localtime(notice.due_at).strftime("%Y-%m-%d %H:%M")},
            _("Open it in the portal: %(link)s") % {"link": link},
        ])
    return subject, body


def _send(row: Delivery) -> None:
    if row.channel == DeliveryChannel.INBOX:
        return  # the inbox is the notice row itself; recording the delivery is the delivery
    if row.channel == DeliveryChannel.EMAIL:
        recipients = _recipients(row.notice.unit)
        if recipients:
            subject, body = _compose(row)
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
        return
    raise ValueError(f"no sender for channel {row.channel}")


def deliver_pending(notice_id: int) -> int:
    """Send every pending outbox row of one notice; safe to run twice or concurrently."""
    from .services import _transition

    sent = 0
    with transaction.atomic():
        rows = list(
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(notice_id=notice_id, status=DeliveryStatus.PENDING)
            .select_related("notice__unit", "notice__case", "notice__action")
        )
        now = timezone.now()
        inbox_issued = False
        for row in rows:
            if row.purpose == "issue" and row.notice.status == NoticeStatus.CANCELLED:
                # Cancelled before it went out: the unit gets the cancellation, not a stale notice.
                row.status = DeliveryStatus.SKIPPED
                row.save(update_fields=["status"])
                continue
            try:
                _send(row)
            except Exception as exc:
                row.attempts += 1
                row.last_error = repr(exc)[:1000]
                if row.attempts >= MAX_ATTEMPTS:
                    row.status = DeliveryStatus.DEAD
                row.save(update_fields=["attempts", "last_error", "status"])
                continue
            row.status, row.sent_at = DeliveryStatus.SENT, now
            row.attempts += 1
            row.save(update_fields=["status", "sent_at", "attempts"])
            sent += 1
            inbox_issued |= row.channel == DeliveryChannel.INBOX and row.purpose == "issue"
        if inbox_issued:
            notice = Notice.objects.select_for_update().get(pk=notice_id)
            if notice.status == NoticeStatus.ISSUED:
                _transition(notice, "deliver", actor=None, delivered_at=now)
    return sent


def pending_notice_ids(*, older_than=SWEEP_GRACE, limit=1000) -> list[int]:
    cutoff = timezone.now() - older_than
    return list(
        Delivery.objects.filter(status=DeliveryStatus.PENDING, created_at__lte=cutoff)
        .order_by("notice_id").values_list("notice_id", flat=True).distinct()[:limit]
    )


def sweep(*, older_than=SWEEP_GRACE, limit=1000) -> int:
    """Deliver what a lost task left pending. Runs in the beat-driven task and in a command."""
    count = 0
    for notice_id in pending_notice_ids(older_than=older_than, limit=limit):
        count += deliver_pending(notice_id)
    return count


def queue_reminders(now=None) -> int:
    """One reminder (催办) a day for each notice overdue to acknowledge or to answer."""
    now = now or timezone.now()
    stamp = timezone.localtime(now).strftime("%Y%m%d")
    ack_ids = list(Notice.objects.ack_overdue(now).values_list("id", flat=True))
    answer_ids = list(Notice.objects.answer_overdue(now).exclude(id__in=ack_ids).values_list("id", flat=True))
    queue(ack_ids, purpose=f"remind-ack-{stamp}")
    queue(answer_ids, purpose=f"remind-answer-{stamp}")
    return len(ack_ids) + len(answer_ids)
