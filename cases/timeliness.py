"""When a notice counts as on time, stated once: the assessment's indicators (``assessments.scoring``) and
the conference's work report (``conferences.selectors.work_report_figures``) judge notices by these ``Q``
objects, so a report and a score never disagree about the same notice."""
from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Q

from .models import NoticeKind, NoticeRequest

# The notice indicators, by their codes (``assessments.models.IndicatorCode`` has the same values).
ACK_ON_TIME, ANSWER_ON_TIME, ANSWERED_DONE, RELEASE_ON_TIME = (
    "ack_on_time", "answer_on_time", "answered_done", "release_on_time")


@dataclass(frozen=True)
class Rule:
    sample: Q
    ok: Q


def paused_at(cutoff) -> Q:
    """Notices whose clocks stood still at ``cutoff``: a request filed by then and not decided by then
    (read from the request rows, so a later decision does not rewrite what was true at the cut-off)."""
    pending = NoticeRequest.objects.filter(notice=OuterRef("pk"), filed_at__lte=cutoff).filter(
        Q(decided_at__isnull=True) | Q(decided_at__gt=cutoff))
    return Q(paused_since__isnull=False, paused_since__lte=cutoff) | Q(Exists(pending))


def notice_rules(cutoff) -> dict[str, Rule]:
    """Per notice indicator: which notices are in its sample and which of them count as met.

    A notice is judged at ``cutoff``: done by then (on time or late), or due by then and not done
    (late). Not counted against the unit: notices not due yet, notices cancelled before they were due,
    and notices whose clocks a pending objection or extension request has stopped. Decided requests
    have already shifted the deadlines (``cases.services.notice_request_decide``).
    """
    paused = paused_at(cutoff)
    assist = Q(kind=NoticeKind.ASSIST)
    release = Q(kind=NoticeKind.RELEASE)
    ack_by = Q(acknowledged_at__isnull=False, acknowledged_at__lte=cutoff)
    ack_late_open = (Q(ack_due_at__lt=cutoff) & ~ack_by & ~paused
                     & ~Q(cancelled_at__isnull=False, cancelled_at__lte=F("ack_due_at")))
    ans_by = Q(answered_at__isnull=False, answered_at__lte=cutoff)
    ans_late_open = (Q(due_at__lt=cutoff) & ~ans_by & ~paused
                     & ~Q(cancelled_at__isnull=False, cancelled_at__lte=F("due_at")))
    return {
        ACK_ON_TIME: Rule(
            sample=assist & (ack_by | ack_late_open),
            ok=assist & ack_by & Q(acknowledged_at__lte=F("ack_due_at"))),
        ANSWER_ON_TIME: Rule(
            sample=assist & (ans_by | ans_late_open),
            ok=assist & ans_by & Q(answered_at__lte=F("due_at"))),
        ANSWERED_DONE: Rule(
            sample=assist & ans_by,
            ok=assist & ans_by & Q(outcome="done")),
        RELEASE_ON_TIME: Rule(
            sample=release & (ans_by | ans_late_open),
            ok=release & ans_by & Q(answered_at__lte=F("due_at"), outcome="done")),
    }
