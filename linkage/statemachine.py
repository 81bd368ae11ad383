"""Every state machine of the portal has one shape: a table of named transitions, each from a set of states
to one state, and one way to take a step along it.

Each app keeps its own tables (``cases.workflow``, ``cases.lifecycle``, ``credit.workflow``,
``conferences.workflow``, ``assessments.workflow``) and its own immutable event model; this module says
what a table is and how a step is taken:

    locked = lock(notice)                                       # the row itself, nothing it reads
    change_state(locked, NOTICE_MACHINE, "answer", actor=user, note=detail,
                 event=NoticeEvent, subject="notice", then=lambda: send(...), outcome=outcome)

A step checks the table (``InvalidTransition`` → HTTP 409 with the sentence a user reads), moves the
status, saves only the fields it changed, writes the event row (who, when, from, to, note) and queues
its side effects for after the commit, so a rolled-back step sends nothing.
"""
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext_lazy as _


class InvalidTransition(Exception):
    """A move the state's table does not allow now (HTTP 409): the one conflict error of the portal."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset
    target: str
    label: str
    needs_reason: bool = False


REFUSAL = _("This is %(status)s; it cannot %(action)s now.")


class Machine:
    """One state machine: its states (a ``TextChoices``) and its table of transitions. ``refusal`` is the
    sentence a user reads when a move is not allowed, with ``%(status)s`` and ``%(action)s``."""

    def __init__(self, states, rows: Iterable[Transition], refusal=None):
        self.states = states
        self.transitions = {t.name: t for t in rows}
        self.refusal = refusal if refusal is not None else REFUSAL

    def __getitem__(self, name: str) -> Transition:
        return self.transitions[name]

    def get(self, name: str) -> Transition | None:
        return self.transitions.get(name)

    def transition_for(self, status: str, name: str) -> Transition:
        """The transition ``name`` from ``status``, or ``InvalidTransition`` a user can read."""
        transition = self.transitions[name]
        if status not in transition.sources:
            raise InvalidTransition(self.refusal % {"status": self.label_of(status), "action": transition.label})
        return transition

    def allowed(self, status: str) -> list[str]:
        return [name for name, t in self.transitions.items() if status in t.sources]

    def label_of(self, status: str) -> str:
        try:
            return self.states(status).label
        except ValueError:
            return status


def lock(obj, *related: str):
    """``obj``'s row locked again from the database, its own row only (``of=self``): the rows it reads
    through ``related`` are joined, not locked, so two steps on objects sharing a unit never wait."""
    query = type(obj).objects.select_for_update(of=("self",), no_key=True)
    if related:
        query = query.select_related(*related)
    return query.get(pk=obj.pk)


def change_state(obj, machine: Machine, name: str, *, actor, event, subject: str, note: str = "",
                 then: Callable[[], None] | None = None, **fields):
    """Take the step ``name`` for a locked ``obj``: check the table, set the status and ``fields``, save
    them, write one ``event`` row with ``obj`` as its ``subject``, queue ``then`` for after the commit."""
    move = machine.transition_for(obj.status, name)
    before = obj.status
    obj.status = move.target
    for key, value in fields.items():
        setattr(obj, key, value)
    obj.save(update_fields=["status", *fields])
    event.objects.create(**{subject: obj}, transition=name, from_status=before, to_status=move.target, actor=actor,
                         note=note)
    if then is not None:
        transaction.on_commit(then, robust=True)  # a broker down must not undo the step: sweeps re-send
    return obj


def record_note(obj, transition: str, *, actor, event, subject: str, note: str = ""):
    """An event row that moves nothing (served, a permission granted, a measure took effect ...): the
    object's timeline tells it between its moves."""
    return event.objects.create(**{subject: obj}, transition=transition, from_status=obj.status,
                                to_status=obj.status, actor=actor, note=note)
