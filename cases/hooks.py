"""What apps above ``cases`` plug into it, so that ``cases`` imports none of them.

- ``case_concluded``: sent on commit of a conclusion (``cases.lifecycle_services.case_conclude``) with
  ``case``, ``outcome`` and ``actor``; ``credit`` deletes the list entries and lifts the consumption
  restriction orders of a case ``completed`` or ``terminated`` (失信规定 Art. 10, 限高规定 Art. 9).
  Receivers must be idempotent: their own sweeps make good a receiver that failed.
- ``case_suspended``: sent on commit of a suspension (``case_suspend``, ``settlement_record``) with
  ``case``, ``suspension`` and ``actor``; ``credit`` deletes the listing of a debtor whose case is
  suspended for a retrial or for bankruptcy (失信规定 Art. 10(5)).
- ``property_searched``: sent on commit of a property search after 终本 with ``case``, ``search`` and
  ``actor``; two searches that found nothing open the deletion of 失信规定 Art. 10(4).
- case-page panels: ``register_case_panel(fn)``; ``fn(request, case)`` returns HTML (or ``""``), shown
  on the case page below its actions.
- 终本 conditions: ``register_final_condition(fn)``; ``fn(case)`` returns a list of conditions
  (``cases.selectors.Condition``) that the app above can judge from its data (credit: 限制消费令 issued,
  终本规定 Art. 1(2)).
"""
import logging

from django.dispatch import Signal
from django.utils.safestring import mark_safe

log = logging.getLogger(__name__)

case_concluded = Signal()
case_suspended = Signal()
property_searched = Signal()

_CASE_PANELS: list = []
_FINAL_CONDITIONS: list = []


def register_final_condition(fn) -> None:
    if fn not in _FINAL_CONDITIONS:
        _FINAL_CONDITIONS.append(fn)


def final_conditions_from_apps(case) -> list:
    return [condition for fn in _FINAL_CONDITIONS for condition in fn(case)]


def register_case_panel(fn) -> None:
    if fn not in _CASE_PANELS:
        _CASE_PANELS.append(fn)


def case_panels(request, case) -> list[str]:
    return [mark_safe(html) for html in (fn(request, case) for fn in _CASE_PANELS) if html]


def _send_on_commit(signal, name: str, case, **kwargs) -> None:
    from django.db import transaction

    def _send():
        for receiver, result in signal.send_robust(sender=type(case), case=case, **kwargs):
            if isinstance(result, Exception):
                log.error("%s receiver %r failed for case %s: %r", name, receiver, case.pk, result)

    transaction.on_commit(_send)


def send_case_concluded(*, case, outcome: str, actor) -> None:
    """Called inside the conclusion's transaction: the signal goes out once it commits."""
    _send_on_commit(case_concluded, "case_concluded", case, outcome=outcome, actor=actor)


def send_case_suspended(*, case, suspension, actor) -> None:
    _send_on_commit(case_suspended, "case_suspended", case, suspension=suspension, actor=actor)


def send_property_searched(*, case, search, actor) -> None:
    _send_on_commit(property_searched, "property_searched", case, search=search, actor=actor)
