"""The import graph of the portal's own modules, and the house rules it must keep (docs/architecture.md,
"The floors"). Used by tests/test_dependencies.py; run it to print the figures:

    .venv/bin/python scripts/imports.py

Every import counts, those inside functions too (a lazy import hides a dependency from a reader, not from
this graph). Migrations and tests are not part of the house.
"""
import ast
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ["linkage", "members", "documents", "cases", "credit", "conferences", "assessments", "portal"]
# The floors, bottom up: an app may import its own floor's helpers (``linkage``) and the floors below it,
# never one above, and never a neighbour on its own floor.
FLOORS = {"linkage": 0, "members": 1, "documents": 2, "cases": 3, "credit": 4, "conferences": 4,
          "assessments": 5, "portal": 6}
# The frame of the building: settings, URLs, the Celery app, WSGI/ASGI and the Jinja2 environment (named
# by the settings, it gathers every app's template filters) wire the apps together; they stand outside
# the floors.
FRAME = {"linkage.settings", "linkage.urls", "linkage.celery", "linkage.wsgi", "linkage.asgi", "linkage.jinja2"}
# Circles allowed, each with why: a Celery task module and the service module it runs (the service
# enqueues the task on commit, the task calls the service back).
ALLOWED_CIRCLES = {
    frozenset({"cases.delivery", "cases.tasks"}): "delivery queues deliver_notice on commit; the task delivers",
    frozenset({"documents.services", "documents.tasks"}): "registering queues seal_documents; the task seals",
    frozenset({"credit.services", "credit.tasks"}): "publishing queues credit_sync_task; the task syncs",
    frozenset({"conferences.notify", "conferences.tasks"}): "issuing queues the invitations; the task sends them",
    frozenset({"assessments.services", "assessments.tasks"}): "asking for scores queues compute_period; the task computes",
    frozenset({"members.channels", "members.tasks"}): "posting queues deliver_channel on commit; the task sends",
}


def modules() -> dict[str, Path]:
    found = {}
    for app in APPS:
        base = ROOT / app
        if not base.exists():
            continue
        for path in base.rglob("*.py"):
            rel = path.relative_to(ROOT)
            if "migrations" in rel.parts or "management" in rel.parts and "commands" not in rel.parts:
                continue
            if "migrations" in rel.parts:
                continue
            name = ".".join(rel.with_suffix("").parts)
            if name.endswith(".__init__"):
                name = name[: -len(".__init__")]
            found[name] = path
    return found


def _resolve(module: str, level: int, name: str | None, package: str) -> str:
    if level == 0:
        return name or ""
    parts = package.split(".")
    base = parts[: len(parts) - level + 1] if level > 1 else parts
    return ".".join(base + ([name] if name else []))


def edges(mods: dict[str, Path]):
    """(importer, imported module, names imported, line) for every import of a project module."""
    out = []
    for name, path in mods.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] in APPS:
                        out.append((name, alias.name, [], node.lineno))
            elif isinstance(node, ast.ImportFrom):
                target = _resolve(name, node.level, node.module, package)
                if target.split(".")[0] not in APPS:
                    continue
                names = [a.name for a in node.names]
                # ``from cases import services`` imports the module cases.services
                submodules = [f"{target}.{n}" for n in names if f"{target}.{n}" in mods]
                if submodules:
                    for sub in submodules:
                        out.append((name, sub, [], node.lineno))
                    rest = [n for n in names if f"{target}.{n}" not in mods]
                    if rest:
                        out.append((name, target, rest, node.lineno))
                else:
                    out.append((name, target, names, node.lineno))
    return out


def app_of(module: str) -> str:
    return module.split(".")[0]


def upward(all_edges):
    """Imports of an app above the importer (or of a neighbour on its floor)."""
    bad = []
    for src, dst, _names, line in all_edges:
        if src in FRAME or dst in FRAME:
            continue
        a, b = app_of(src), app_of(dst)
        if a == b:
            continue
        if FLOORS[b] > FLOORS[a] or (FLOORS[b] == FLOORS[a] and a != b):
            bad.append((src, dst, line))
    return bad


def private_across(all_edges):
    """``_private`` names imported from another module."""
    return [(src, dst, n, line) for src, dst, names, line in all_edges for n in names
            if n.startswith("_") and not n.startswith("__") and src != dst]


def circles(all_edges) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    graph = defaultdict(set)
    for src, dst, _n, _l in all_edges:
        if src != dst and src not in FRAME and dst not in FRAME:
            graph[src].add(dst)
    index, low, on_stack, stack, out = {}, {}, set(), [], []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in list(graph):
        if v not in index:
            visit(v)
    return out


def disallowed_circles(all_edges):
    return [c for c in circles(all_edges) if frozenset(c) not in ALLOWED_CIRCLES]


def lines_per_app(mods) -> dict[str, int]:
    counts = defaultdict(int)
    for name, path in mods.items():
        counts[app_of(name)] += sum(1 for _ in path.open(encoding="utf-8"))
    return dict(counts)


def main():
    mods = modules()
    all_edges = edges(mods)
    cs = circles(all_edges)
    print(f"modules: {len(mods)}, lines: {sum(lines_per_app(mods).values())}")
    print("lines per app:", lines_per_app(mods))
    print(f"circles: {len(cs)} (largest {max((len(c) for c in cs), default=0)} modules); "
          f"not allowed: {len(disallowed_circles(all_edges))}")
    for c in cs:
        print("  ", " ↔ ".join(c))
    up = upward(all_edges)
    print(f"upward imports: {len(up)}")
    for src, dst, line in up:
        print(f"   {src}:{line} → {dst}")
    private = private_across(all_edges)
    print(f"private names imported across modules: {len(private)}")
    for src, dst, n, line in private:
        print(f"   {src}:{line} ← {dst}.{n}")


if __name__ == "__main__":
    main()
