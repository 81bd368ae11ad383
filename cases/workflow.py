"""The assistance-notice state machine (DOMAIN.md section 5), as a table.

issued → delivered → acknowledged → answered → closed; cancelled from any open state. Services look a
transition up here and nowhere else decides whether a move is allowed.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from linkage.statemachine import Transition


class NoticeStatus(models.TextChoices):
    ISSUED = "issued", _("Issued")
    DELIVERED = "delivered", _("Delivered")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


# Named groups of states: "open" means the unit still owes something.
AWAITING_ACK = frozenset({NoticeStatus.ISSUED, NoticeStatus.DELIVERED})
OPEN = frozenset({NoticeStatus.ISSUED, NoticeStatus.DELIVERED, NoticeStatus.ACKNOWLEDGED})
TERMINAL = frozenset({NoticeStatus.CLOSED, NoticeStatus.CANCELLED})


class InvalidTransition(Exception):
    """A move the table does not allow from the notice's current state (HTTP 409)."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


TRANSITIONS = {
    t.name: t
    for t in [
        Transition("deliver", frozenset({NoticeStatus.ISSUED}), NoticeStatus.DELIVERED, _("deliver")),
        # A unit may sign for a notice it reads before the delivery receipt is recorded.
        Transition("acknowledge", AWAITING_ACK, NoticeStatus.ACKNOWLEDGED, _("acknowledge")),
        Transition("answer", frozenset({NoticeStatus.ACKNOWLEDGED}), NoticeStatus.ANSWERED, _("answer")),
        Transition("close", frozenset({NoticeStatus.ANSWERED}), NoticeStatus.CLOSED, _("close")),
        # 退回补正: the court sends an incomplete answer back; the unit answers again, on the same clock.
        Transition("return", frozenset({NoticeStatus.ANSWERED}), NoticeStatus.ACKNOWLEDGED,
                   _("return for correction")),
        Transition("cancel", OPEN, NoticeStatus.CANCELLED, _("cancel")),
    ]
}


def transition_for(status: str, name: str) -> Transition:
    """The transition ``name`` from ``status``, or ``InvalidTransition`` with a message a user can read."""
    transition = TRANSITIONS[name]
    if status not in transition.sources:
        raise InvalidTransition(
            _("This notice is %(status)s; it cannot %(action)s now.")
            % {"status": NoticeStatus(status).label, "action": transition.label}
        )
    return transition


def allowed_transitions(status: str) -> list[str]:
    return [name for name, t in TRANSITIONS.items() if status in t.sources]
