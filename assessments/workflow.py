"""The non-cooperation report and assessment-period state machines (Art. 36, 37, 39), as tables.

Report: filed → answered (the reported unit states its side) → decided (convener); filed → decided.
Referral task (a decided referral, for ``discipline`` and, for cadres, ``organization``): open → answered.
Assessment period: open → finalised (assessor); a finalised period's scores are a frozen snapshot.

Services look a transition up here and nowhere else; a refused move raises
``linkage.statemachine.InvalidTransition`` (HTTP 409), the one conflict error of the portal.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from linkage.statemachine import Machine, Transition


class ReportStatus(models.TextChoices):
    FILED = "filed", _("Filed")
    ANSWERED = "answered", _("Answered by the unit")
    DECIDED = "decided", _("Decided")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ANSWERED = "answered", _("Answered")


class PeriodStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("assessment period status", "Open")
    FINALISED = "finalised", _("Finalised")


MACHINES = {
    "report": Machine(ReportStatus, [
        Transition("answer", frozenset({ReportStatus.FILED}), ReportStatus.ANSWERED, _("answer")),
        Transition("decide", frozenset({ReportStatus.FILED, ReportStatus.ANSWERED}), ReportStatus.DECIDED,
                   _("decide")),
    ]),
    "task": Machine(TaskStatus, [
        Transition("answer", frozenset({TaskStatus.OPEN}), TaskStatus.ANSWERED, _("answer")),
    ]),
    "period": Machine(PeriodStatus, [
        # Computing does not change the state; it is allowed only while the period is open.
        Transition("compute", frozenset({PeriodStatus.OPEN}), PeriodStatus.OPEN, _("compute")),
        Transition("edit_scheme", frozenset({PeriodStatus.OPEN}), PeriodStatus.OPEN, _("edit the scheme")),
        Transition("finalise", frozenset({PeriodStatus.OPEN}), PeriodStatus.FINALISED, _("finalise")),
    ]),
}
