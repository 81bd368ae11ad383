"""The assistance-notice state machine (DOMAIN.md section 5), as a table.

issued → delivered → acknowledged → answered → closed; cancelled from any open state. Services look a
transition up here and nowhere else decides whether a move is allowed.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from linkage.statemachine import InvalidTransition, Machine, Transition

__all__ = ["NoticeStatus", "AWAITING_ACK", "OPEN", "TERMINAL", "NOTICE_MACHINE", "InvalidTransition"]


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


NOTICE_MACHINE = Machine(
    NoticeStatus,
    [
        Transition("deliver", frozenset({NoticeStatus.ISSUED}), NoticeStatus.DELIVERED, _("deliver")),
        # A unit may sign for a notice it reads before the delivery receipt is recorded.
        Transition("acknowledge", AWAITING_ACK, NoticeStatus.ACKNOWLEDGED, _("acknowledge")),
        Transition("answer", frozenset({NoticeStatus.ACKNOWLEDGED}), NoticeStatus.ANSWERED, _("answer")),
        Transition("close", frozenset({NoticeStatus.ANSWERED}), NoticeStatus.CLOSED, _("close")),
        # 退回补正: the court sends an incomplete answer back; the unit answers again, on the same clock.
        Transition("return", frozenset({NoticeStatus.ANSWERED}), NoticeStatus.ACKNOWLEDGED,
                   _("return for correction")),
        Transition("cancel", OPEN, NoticeStatus.CANCELLED, _("cancel")),
    ],
    refusal=_("This notice is %(status)s; it cannot %(action)s now."),
)
