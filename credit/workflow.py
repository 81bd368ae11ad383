"""The state tables of the list and of the consumption restriction orders: which move is allowed from
which state. A move not in a table raises ``cases.workflow.InvalidTransition`` (409)."""
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from cases.workflow import InvalidTransition

from .models import CreditStatus, RestrictionStatus

__all__ = ["CREDIT_TRANSITIONS", "InvalidTransition", "WITHDRAWN_STATES", "credit_allowed", "credit_transition_for",
           "RESTRICTION_TRANSITIONS", "restriction_transition_for"]


@dataclass(frozen=True)
class CreditTransition:
    name: str
    sources: frozenset
    target: str
    label: str
    needs_reason: bool


_LIVE = frozenset({CreditStatus.PENDING, CreditStatus.PROPOSED, CreditStatus.DECIDED, CreditStatus.PUBLISHED,
                   CreditStatus.SHIELDED})

# The one table that says which move is allowed from which state. A listing is a decision of the court:
# proposed by the clerk, decided (signed) or returned by the president (失信规定 Art. 5), and published
# only once decided. Publishing again after shielding is a decision of its own (``republish``, with its
# reason), never the first publication repeated.
CREDIT_TRANSITIONS = {
    t.name: t
    for t in [
        CreditTransition("propose", frozenset({CreditStatus.PENDING}), CreditStatus.PROPOSED, _("propose"), False),
        CreditTransition("decide", frozenset({CreditStatus.PROPOSED}), CreditStatus.DECIDED, _("decide"), False),
        CreditTransition("return", frozenset({CreditStatus.PROPOSED}), CreditStatus.PENDING,
                         _("return to the clerk"), True),
        CreditTransition("publish", frozenset({CreditStatus.DECIDED}), CreditStatus.PUBLISHED, _("publish"), False),
        CreditTransition("shield", frozenset({CreditStatus.PUBLISHED}), CreditStatus.SHIELDED, _("shield"), True),
        CreditTransition("republish", frozenset({CreditStatus.SHIELDED}), CreditStatus.PUBLISHED,
                         _("publish again"), True),
        CreditTransition("delete", _LIVE, CreditStatus.DELETED, _("delete"), False),
        CreditTransition("revoke", _LIVE, CreditStatus.REVOKED, _("revoke"), True),
    ]
}

# States in which the units that got a push must be told to stop applying it.
WITHDRAWN_STATES = frozenset({CreditStatus.SHIELDED, CreditStatus.DELETED, CreditStatus.REVOKED})


def credit_transition_for(status: str, name: str) -> CreditTransition:
    move = CREDIT_TRANSITIONS[name]
    if status not in move.sources:
        raise InvalidTransition(
            _("This entry is %(status)s; it cannot %(action)s now.")
            % {"status": CreditStatus(status).label, "action": move.label}
        )
    return move


def credit_allowed(status: str) -> list[str]:
    return [name for name, t in CREDIT_TRANSITIONS.items() if status in t.sources]


RESTRICTION_TRANSITIONS = {
    "sign": (frozenset({RestrictionStatus.DRAFT}), RestrictionStatus.SIGNED, _("sign")),
    # The president sends a draft back with a reason; the clerk resubmits it (or withdraws it).
    "return": (frozenset({RestrictionStatus.DRAFT}), RestrictionStatus.RETURNED, _("return to the clerk")),
    "resubmit": (frozenset({RestrictionStatus.RETURNED}), RestrictionStatus.DRAFT, _("submit again")),
    "issue": (frozenset({RestrictionStatus.SIGNED}), RestrictionStatus.ISSUED, _("issue")),
    "cancel": (frozenset({RestrictionStatus.DRAFT, RestrictionStatus.RETURNED, RestrictionStatus.SIGNED}),
               RestrictionStatus.CANCELLED,
               _("withdraw")),
    "lift": (frozenset({RestrictionStatus.ISSUED}), RestrictionStatus.LIFTED, _("lift")),
}


def restriction_transition_for(status: str, name: str) -> str:
    sources, target, label = RESTRICTION_TRANSITIONS[name]
    if status not in sources:
        raise InvalidTransition(_("This order is %(status)s; it cannot %(action)s now.")
                                % {"status": RestrictionStatus(status).label, "action": label})
    return target
