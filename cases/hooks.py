"""What apps above ``cases`` plug into it, so that ``cases`` imports none of them (issue 15).

- ``case_concluded``: sent on commit of a conclusion (``cases.services.case_conclude``) with
  ``case``, ``outcome`` and ``actor``; ``credit`` deletes the list entries and lifts the consumption
  restriction orders of a case ``completed`` or ``terminated`` (失信规定 Art. 10, 限高规定 Art. 9).
  Receivers must be idempotent: their own sweeps make good a receiver that failed.
- case-page panels: ``register_case_panel(fn)``; ``fn(request, case)`` returns HTML (or ``""``), shown
  on the case page below its actions.
"""
import logging

from django.dispatch import Signal
from django.utils.safestring import mark_safe

log = logging.getLogger(__name__)

case_concluded = Signal()

_CASE_PANELS: list = []


def register_case_panel(fn) -> None:
    if fn not in _CASE_PANELS:
        _CASE_PANELS.append(fn)


def case_panels(request, case) -> list[str]:
    return [mark_safe(html) for html in (fn(request, case) for fn in _CASE_PANELS) if html]


def send_case_concluded(*, case, outcome: str, actor) -> None:
    """Called inside the conclusion's transaction: the signal goes out once it commits."""
    from django.db import transaction

    def _send():
        for receiver, result in case_concluded.send_robust(sender=type(case), case=case, outcome=outcome,
                                                           actor=actor):
            if isinstance(result, Exception):
                log.error("case_concluded receiver %r failed for case %s: %r", receiver, case.pk, result)

    transaction.on_commit(_send)
