"""The house rules of docs/architecture.md ("The floors"), checked on the import graph of the portal's own
modules, imports inside functions included (``scripts/imports.py`` builds it; run it to see the figures).

* no app imports an app on a floor above it (or a neighbour on its own floor);
* no ``_private`` name is imported from another module;
* no import circle, except a Celery task module and the service module it runs (each listed, with why).
"""
import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def graph():
    spec = importlib.util.spec_from_file_location("house_imports", ROOT / "scripts" / "imports.py")
    imports = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(imports)
    modules = imports.modules()
    return imports, modules, imports.edges(modules)


def test_the_graph_sees_every_app_and_the_imports_inside_functions(graph):
    imports, modules, edges = graph
    assert {name.split(".")[0] for name in modules} == set(imports.APPS)
    # portal.sample imports every app inside its functions; they are part of the graph.
    assert {dst.split(".")[0] for src, dst, _n, _l in edges if src == "portal.sample"} >= {
        "cases", "credit", "conferences", "assessments", "members"}


def test_no_app_imports_an_app_above_it(graph):
    imports, _modules, edges = graph
    assert imports.upward(edges) == []


def test_no_private_name_is_imported_from_another_module(graph):
    imports, _modules, edges = graph
    assert imports.private_across(edges) == []


def test_the_only_circles_are_a_task_module_and_its_service(graph):
    imports, _modules, edges = graph
    assert imports.disallowed_circles(edges) == []
    for circle in imports.circles(edges):
        assert len(circle) == 2 and any(name.endswith(".tasks") for name in circle), circle


def test_the_checks_would_catch_a_violation(graph):
    """The checks are not vacuous: an upward import, a private import and a circle, made up, are found."""
    imports, _modules, edges = graph
    fake = [("members.models", "cases.models", ["Case"], 1),
            ("cases.views", "cases.services", ["_secret"], 2),
            ("cases.selectors", "cases.measures", [], 3), ("cases.measures", "cases.selectors", [], 4)]
    assert ("members.models", "cases.models", 1) in imports.upward(edges + fake)
    assert ("cases.views", "cases.services", "_secret", 2) in imports.private_across(edges + fake)
    assert ["cases.measures", "cases.selectors"] in imports.disallowed_circles(edges + fake)


def test_the_timeliness_rules_name_the_assessment_indicators():
    """``cases.timeliness`` keys its rules by the indicator codes of ``assessments`` without importing it."""
    from django.utils import timezone

    from assessments.models import IndicatorCode
    from assessments.scoring import NOTICE_INDICATORS
    from cases import timeliness

    assert set(timeliness.notice_rules(timezone.now())) == set(NOTICE_INDICATORS)
    assert set(NOTICE_INDICATORS) <= set(IndicatorCode.values)
