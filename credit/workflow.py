"""The states and tables of the list and of the consumption restriction orders: which move is allowed from
which state. A move not in a table raises ``linkage.statemachine.InvalidTransition`` (409)."""
from django.db import models
from django.utils.translation import gettext_lazy as _

from linkage.statemachine import Machine, Transition


class CreditStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    # 失信规定 Art. 5: the clerk proposes, the president decides by a 决定书, then it is published.
    PROPOSED = "proposed", _("Proposed to the president")
    DECIDED = "decided", _("Decided by the president")
    PUBLISHED = "published", _("Published")
    SHIELDED = "shielded", _("Shielded")
    DELETED = "deleted", _("Deleted")  # 失信规定 Art. 10: performed, settled, ..., period expired
    REVOKED = "revoked", _("Revoked")  # Art. 11, 12: a wrong listing corrected


class RestrictionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    RETURNED = "returned", _("Returned to the clerk by the president")
    SIGNED = "signed", _("Signed by the president")
    ISSUED = "issued", _("Issued")
    LIFTED = "lifted", _("Lifted")
    CANCELLED = "cancelled", _("Withdrawn before issue")


_LIVE = frozenset({CreditStatus.PENDING, CreditStatus.PROPOSED, CreditStatus.DECIDED, CreditStatus.PUBLISHED,
                   CreditStatus.SHIELDED})

# A listing is a decision of the court: proposed by the clerk, decided (signed) or returned by the
# president (失信规定 Art. 5), and published only once decided. Publishing again after shielding is a
# decision of its own (``republish``, with its reason), never the first publication repeated.
CREDIT_MACHINE = Machine(
    CreditStatus,
    [
        Transition("propose", frozenset({CreditStatus.PENDING}), CreditStatus.PROPOSED, _("propose")),
        Transition("decide", frozenset({CreditStatus.PROPOSED}), CreditStatus.DECIDED, _("decide")),
        Transition("return", frozenset({CreditStatus.PROPOSED}), CreditStatus.PENDING, _("return to the clerk"),
                   needs_reason=True),
        Transition("publish", frozenset({CreditStatus.DECIDED}), CreditStatus.PUBLISHED, _("publish")),
        Transition("shield", frozenset({CreditStatus.PUBLISHED}), CreditStatus.SHIELDED, _("shield"),
                   needs_reason=True),
        Transition("republish", frozenset({CreditStatus.SHIELDED}), CreditStatus.PUBLISHED, _("publish again"),
                   needs_reason=True),
        Transition("delete", _LIVE, CreditStatus.DELETED, _("delete")),
        Transition("revoke", _LIVE, CreditStatus.REVOKED, _("revoke"), needs_reason=True),
    ],
    refusal=_("This entry is %(status)s; it cannot %(action)s now."),
)

# States in which the units that got a push must be told to stop applying it.
WITHDRAWN_STATES = frozenset({CreditStatus.SHIELDED, CreditStatus.DELETED, CreditStatus.REVOKED})

RESTRICTION_MACHINE = Machine(
    RestrictionStatus,
    [
        Transition("sign", frozenset({RestrictionStatus.DRAFT}), RestrictionStatus.SIGNED, _("sign")),
        # The president sends a draft back with a reason; the clerk resubmits it (or withdraws it).
        Transition("return", frozenset({RestrictionStatus.DRAFT}), RestrictionStatus.RETURNED,
                   _("return to the clerk")),
        Transition("resubmit", frozenset({RestrictionStatus.RETURNED}), RestrictionStatus.DRAFT, _("submit again")),
        Transition("issue", frozenset({RestrictionStatus.SIGNED}), RestrictionStatus.ISSUED, _("issue")),
        Transition("cancel", frozenset({RestrictionStatus.DRAFT, RestrictionStatus.RETURNED,
                                        RestrictionStatus.SIGNED}), RestrictionStatus.CANCELLED, _("withdraw")),
        Transition("lift", frozenset({RestrictionStatus.ISSUED}), RestrictionStatus.LIFTED, _("lift")),
    ],
    refusal=_("This order is %(status)s; it cannot %(action)s now."),
)
