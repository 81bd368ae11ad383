"""Background notices of the conference: meeting invitations, new action items, overdue reminders.

The rows are the truth (``Invitation.notified_at``, ``ActionReminder``); the Celery task, enqueued on
commit, only sends what is still unsent, under a row lock, so running it twice sends nothing twice.
The portal's own "inbox" for these is the liaison's task list (/tasks/), which reads the same rows.
"""
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from members import channels

log = logging.getLogger(__name__)


def recipients(unit) -> list[str]:
    emails = [unit.contact_email] if unit.contact_email else []
    emails += [u.email for u in unit.members.filter(is_active=True, groups__name="liaison") if u.email]
    return sorted(set(emails))


def _enqueue(task, *args) -> None:
    try:
        task.delay(*args)
    except Exception:  # broker down: the next beat run of the reminder task picks the rows up
        log.warning("could not enqueue %s%s", task.name, args)


def queue_invitations(meeting_id: int) -> None:
    from .tasks import notify_meeting

    transaction.on_commit(lambda: _enqueue(notify_meeting, meeting_id), robust=True)


def queue_action_items(item_ids: list[int]) -> None:
    from .tasks import notify_action_items

    if item_ids:
        transaction.on_commit(lambda: _enqueue(notify_action_items, list(item_ids)), robust=True)


def absolute_url(path: str) -> str:
    """``path`` on the portal as its users reach it (``SITE_URL``): e-mails carry absolute links."""
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def send_invitations(meeting_id: int) -> int:
    """E-mail every invited unit not yet notified; idempotent."""
    from .models import Invitation

    sent = 0
    with transaction.atomic():
        rows = list(Invitation.objects.select_for_update(skip_locked=True, of=("self",), no_key=True)
                    .filter(meeting_id=meeting_id, notified_at__isnull=True).select_related("meeting", "unit"))
        for row in rows:
            with translation.override(settings.LANGUAGE_CODE):
                meeting = row.meeting
                subject = _("Joint conference: %(title)s") % {"title": meeting.title}
                body = "\n".join([
                    subject,
                    _("When: %(when)s") % {"when": timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d %H:%M")},
                    _("Where: %(place)s") % {"place": meeting.place or "-"},
                    _("Confirm who attends in the portal: %(link)s")
                    % {"link": absolute_url(reverse("conferences:meeting-detail", args=[meeting.pk]))},
                ])
            to = recipients(row.unit)
            if to:
                send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to)
            with translation.override(settings.LANGUAGE_CODE):
                when = timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d %H:%M")
                channels.post(unit_ids=[row.unit_id], key=f"meeting-{meeting.pk}-invitation", purpose="meeting",
                              title=subject, due=when,
                              lines=[f"- {_('When: %(when)s') % {'when': when}}",
                                     f"- {_('Where: %(place)s') % {'place': meeting.place or '-'}}"],
                              link=absolute_url(reverse("conferences:meeting-detail", args=[meeting.pk])))
            row.notified_at = timezone.now()
            row.save(update_fields=["notified_at"])
            sent += 1
    return sent


def send_action_items(item_ids: list[int]) -> int:
    """E-mail each unit the action items addressed to it by newly issued minutes (one mail per unit)."""
    from .models import ActionItem, ConferenceEvent

    sent = 0
    with transaction.atomic():
        items = list(ActionItem.objects.select_for_update(skip_locked=True, of=("self",), no_key=True)
                     .filter(pk__in=item_ids).select_related("unit", "minutes"))
        already = set(ConferenceEvent.objects.filter(action_item__in=items, transition="notify")
                      .values_list("action_item_id", flat=True))
        by_unit = {}
        for item in items:
            if item.pk not in already:
                by_unit.setdefault(item.unit, []).append(item)
        for unit, rows in by_unit.items():
            with translation.override(settings.LANGUAGE_CODE):
                subject = _("Action items from minutes %(number)s") % {"number": rows[0].minutes.number}
                body = "\n".join([subject, *[f"- {i.text}" for i in rows],
                                  _("Report progress in the portal: %(link)s")
                                  % {"link": absolute_url(reverse("conferences:tasks"))}])
            to = recipients(unit)
            if to:
                send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to)
            with translation.override(settings.LANGUAGE_CODE):
                # The text of a decision may name a person: the group sees the count and the dates only.
                first_due = min((timezone.localtime(i.due_at).strftime("%Y-%m-%d") for i in rows if i.due_at),
                                default="-")
                channels.post(unit_ids=[unit.pk], key=f"action-items-{rows[0].minutes_id}", purpose="action",
                              title=subject, due=first_due,
                              lines=[_("%(count)s action item(s) for your unit, the first due on %(due)s.") % {
                                  "count": len(rows), "due": first_due}],
                              link=absolute_url(reverse("conferences:tasks")))
            ConferenceEvent.objects.bulk_create([
                ConferenceEvent(action_item=i, transition="notify", from_status=i.status, to_status=i.status)
                for i in rows])
            sent += len(rows)
    return sent


def send_reminders(now=None) -> int:
    """One reminder (催办) a day for each overdue action item; the unique (item, day) row makes it
    idempotent however often beat runs."""
    from .models import ActionItem, ActionReminder

    now = now or timezone.now()
    day = timezone.localdate(now)
    overdue = list(ActionItem.objects.overdue(now).values_list("id", flat=True))
    ActionReminder.objects.bulk_create([ActionReminder(action_item_id=i, day=day) for i in overdue],
                                       ignore_conflicts=True)
    sent = 0
    with transaction.atomic():
        rows = list(ActionReminder.objects.select_for_update(skip_locked=True, of=("self",), no_key=True)
                    .filter(day=day, sent_at__isnull=True).select_related("action_item__unit", "action_item__minutes"))
        for row in rows:
            item = row.action_item
            with translation.override(settings.LANGUAGE_CODE):
                subject = _("Reminder: action item overdue (%(number)s)") % {"number": item.minutes.number}
                body = "\n".join([subject, item.text,
                                  _("Due: %(due)s") % {"due": timezone.localtime(item.due_at).strftime("%Y-%m-%d")}])
            to = recipients(item.unit)
            if to:
                send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to)
            with translation.override(settings.LANGUAGE_CODE):
                due = timezone.localtime(item.due_at).strftime("%Y-%m-%d") if item.due_at else "-"
                channels.post(unit_ids=[item.unit_id], key=f"action-remind-{item.pk}-{day:%Y%m%d}", purpose="action",
                              title=subject, due=due, lines=[f"- {_('Due: %(due)s') % {'due': due}}"],
                              link=absolute_url(reverse("conferences:tasks")))
            row.sent_at = timezone.now()
            row.save(update_fields=["sent_at"])
            sent += 1
    return sent
