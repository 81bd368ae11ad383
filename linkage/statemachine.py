"""The shape of every state machine in the portal: a table of named transitions, each from a set of
states to one state. Each app keeps its own tables (cases/workflow.py, conferences/workflow.py,
assessments/workflow.py); this module only says what a row of such a table is."""
from dataclasses import dataclass


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset
    target: str
    label: str


def table(*rows: Transition) -> dict[str, Transition]:
    return {t.name: t for t in rows}
