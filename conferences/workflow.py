"""The joint-conference state machines (DOMAIN.md section 5), as tables.

Agenda item: proposed → approved / rejected (convener); approved → settled when issued minutes decide it.
Meeting: scheduled → held (when its minutes are issued).
Invitation: invited → confirmed (the unit's liaison says who attends).
Minutes: draft → issued (convener); issued minutes are read-only.
Action item: open → reported → done / returned; returned → reported again.

Services look a transition up here; nothing else decides whether a move is allowed. A refused move raises
``linkage.statemachine.InvalidTransition`` (HTTP 409), the one conflict error of the portal.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from linkage.statemachine import Machine, Transition


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


MACHINES = {
    "agenda": Machine(AgendaStatus, [
        Transition("approve", frozenset({AgendaStatus.PROPOSED}), AgendaStatus.APPROVED, _("approve")),
        Transition("reject", frozenset({AgendaStatus.PROPOSED}), AgendaStatus.REJECTED, _("reject")),
        Transition("settle", frozenset({AgendaStatus.APPROVED}), AgendaStatus.SETTLED, _("settle")),
    ]),
    "meeting": Machine(MeetingStatus, [
        Transition("hold", frozenset({MeetingStatus.SCHEDULED}), MeetingStatus.HELD, _("hold")),
    ]),
    "invitation": Machine(InvitationStatus, [
        Transition("confirm", frozenset({InvitationStatus.INVITED}), InvitationStatus.CONFIRMED,
                   _("confirm attendance")),
    ]),
    "minutes": Machine(MinutesStatus, [
        Transition("redraft", frozenset({MinutesStatus.DRAFT}), MinutesStatus.DRAFT, _("change")),
        Transition("issue", frozenset({MinutesStatus.DRAFT}), MinutesStatus.ISSUED, _("issue")),
    ]),
    "action": Machine(ActionStatus, [
        Transition("report", ACTION_OPEN, ActionStatus.REPORTED, _("report progress")),
        Transition("close", frozenset({ActionStatus.REPORTED}), ActionStatus.DONE, _("close")),
        Transition("return", frozenset({ActionStatus.REPORTED}), ActionStatus.RETURNED, _("return")),
    ]),
}
