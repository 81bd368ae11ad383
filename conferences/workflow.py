"""The joint-conference state machines (DOMAIN.md section 5), as tables.

Agenda item: proposed → approved / rejected (convener); approved → settled when issued minutes decide it.
Meeting: scheduled → held (when its minutes are issued).
Invitation: invited → confirmed (the unit's liaison says who attends).
Minutes: draft → issued (convener); issued minutes are read-only.
Action item: open → reported → done / returned; returned → reported again.

Services look a transition up here; nothing else decides whether a move is allowed. A refused move raises
``cases.workflow.InvalidTransition`` (HTTP 409), the one conflict error of the portal.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cases.workflow import InvalidTransition
from linkage.statemachine import Transition, table

__all__ = ["InvalidTransition", "AgendaStatus", "MeetingStatus", "InvitationStatus", "MinutesStatus",
           "ActionStatus", "transition_for", "allowed_transitions", "ACTION_OPEN"]


class AgendaStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    SETTLED = "settled", _("Settled")


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    HELD = "held", _("Held")


class InvitationStatus(models.TextChoices):
    INVITED = "invited", _("Invited")
    CONFIRMED = "confirmed", _("Attendance confirmed")


class MinutesStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ISSUED = "issued", _("Issued")


class ActionStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("action item status", "Open")
    REPORTED = "reported", _("Reported")
    DONE = "done", _("Done")
    RETURNED = "returned", _("Returned")


# The unit still owes something on these.
ACTION_OPEN = frozenset({ActionStatus.OPEN, ActionStatus.RETURNED})
ACTION_UNSETTLED = frozenset({ActionStatus.OPEN, ActionStatus.RETURNED, ActionStatus.REPORTED})


TABLES = {
    "agenda": table(
        Transition("approve", frozenset({AgendaStatus.PROPOSED}), AgendaStatus.APPROVED, _("approve")),
        Transition("reject", frozenset({AgendaStatus.PROPOSED}), AgendaStatus.REJECTED, _("reject")),
        Transition("settle", frozenset({AgendaStatus.APPROVED}), AgendaStatus.SETTLED, _("settle")),
    ),
    "meeting": table(
        Transition("hold", frozenset({MeetingStatus.SCHEDULED}), MeetingStatus.HELD, _("hold")),
    ),
    "invitation": table(
        Transition("confirm", frozenset({InvitationStatus.INVITED}), InvitationStatus.CONFIRMED,
                   _("confirm attendance")),
    ),
    "minutes": table(
        Transition("redraft", frozenset({MinutesStatus.DRAFT}), MinutesStatus.DRAFT, _("change")),
        Transition("issue", frozenset({MinutesStatus.DRAFT}), MinutesStatus.ISSUED, _("issue")),
    ),
    "action": table(
        Transition("report", ACTION_OPEN, ActionStatus.REPORTED, _("report progress")),
        Transition("close", frozenset({ActionStatus.REPORTED}), ActionStatus.DONE, _("close")),
        Transition("return", frozenset({ActionStatus.REPORTED}), ActionStatus.RETURNED, _("return")),
    ),
}

STATUS_CHOICES = {
    "agenda": AgendaStatus, "meeting": MeetingStatus, "invitation": InvitationStatus,
    "minutes": MinutesStatus, "action": ActionStatus,
}


def transition_for(machine: str, status: str, name: str) -> Transition:
    """The transition ``name`` of ``machine`` from ``status``, or ``InvalidTransition`` a user can read."""
    transition = TABLES[machine][name]
    if status not in transition.sources:
        raise InvalidTransition(
            _("This is %(status)s; it cannot %(action)s now.")
            % {"status": STATUS_CHOICES[machine](status).label, "action": transition.label}
        )
    return transition


def allowed_transitions(machine: str, status: str) -> list[str]:
    return [name for name, t in TABLES[machine].items() if status in t.sources]
