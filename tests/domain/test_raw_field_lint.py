"""Kubernetes fields are read in ``homelabctl/k8s/`` only: a lint over the source tree.

A raw read is ``x.get("spec")``, ``x["status"]``, ``x.get("metadata")``... (any top-level section of an
object), a read through a Resource/Doc section (``res.spec.get(...)``, ``doc.spec["rules"]``,
``res.raw.get(...)``) or through a function that hands one out (``meta.spec(obj).get(...)``,
``pod_template_spec(ds).get(...)``), or a section handed to a local name (``spec = res.spec``). Not seen:
reads on a local name bound to such a function's result (``spec = meta.spec(obj)``; ``spec.get(...)``).
Condition dicts read with ``.get("status")`` count too: read conditions through ``k8s.conditions``. Not counted: a label or annotation
named ``status`` (``secret.labels.get("status")``), and a row of a check report's ``nodes`` list read in the
scope that iterates it (``for n in report["nodes"]: n["status"]``), which is report data, not an object.
Files not yet migrated are listed in ``ALLOWED`` with how many raw reads they still have; the count may only
go down, and a file that reaches zero must leave the list.
"""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

SRC = Path(__file__).parents[2] / "src" / "homelabctl"
SECTIONS = frozenset({"spec", "status", "metadata"})
SECTION_ATTRS = frozenset({"spec", "status", "metadata", "raw"})
ALIASED = frozenset({"spec", "metadata", "raw"})
LABEL_MAPS = frozenset({"labels", "annotations"})
SECTION_CALLS = frozenset(
    {
        "spec",
        "status",
        "metadata",
        "meta",
        "section",
        "whole",
        "pod_spec",
        "template_spec",
        "pod_template_spec",
        "job_template_spec",
    }
)
"""Functions that hand out a raw section (``meta.spec(obj)``, ``pod_template_spec(ds)``): a ``.get`` on what
they return reads a field as surely as ``obj.spec.get`` does (leading underscores do not change that)."""
EXEMPT = ("k8s/", "model.py")
"""The readers themselves, and Resource, which holds the raw object and hands out its sections."""

ALLOWED_PACKAGES: tuple[str, ...] = ()
"""Packages being rewritten by work in progress, allowed
whole, without counts, until that work lands. Shrink this list as they move onto the readers."""

ALLOWED: dict[str, int] = {}
"""Files not migrated yet, with how many raw reads each still has. Lower a count when you migrate reads;
never raise one."""


def _is_raw_read(node: ast.AST) -> bool:
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get":
        target = node.func.value
        if isinstance(target, ast.Attribute) and target.attr in LABEL_MAPS:
            return False  # a label or annotation named ``status`` (Helm's release Secrets) is a value, not a field
        first = node.args[0] if node.args else None
        if isinstance(first, ast.Constant) and first.value in SECTIONS:
            return True
        if isinstance(target, ast.Call):
            called = target.func
            name = called.attr if isinstance(called, ast.Attribute) else getattr(called, "id", "")
            return name.lstrip("_") in SECTION_CALLS
        return isinstance(target, ast.Attribute) and target.attr in SECTION_ATTRS
    if isinstance(node, ast.Subscript):
        if isinstance(node.slice, ast.Constant) and node.slice.value in SECTIONS:
            return True
        return isinstance(node.value, ast.Attribute) and node.value.attr in SECTION_ATTRS
    if isinstance(node, ast.Assign | ast.AnnAssign) and isinstance(node.value, ast.Attribute):
        # ``spec = res.spec`` hands the raw section to code the other patterns would not see (``status`` is
        # left out here: a check result's status is a plain string)
        target = node.value
        return target.attr in ALIASED and not (
            isinstance(target.value, ast.Name) and target.value.id == "self"
        )
    return False


REPORT_ROWS = frozenset({"nodes"})
"""Lists of a check report whose rows have a ``status`` (a node's display status): plain report data."""


def _is_rows(expr: ast.expr, lists: set[str]) -> bool:
    """``report["nodes"]``, ``report.get("nodes")``, ``... or []``, or a name bound to one of them."""
    if isinstance(expr, ast.BoolOp):
        return any(_is_rows(value, lists) for value in expr.values)
    if isinstance(expr, ast.Name):
        return expr.id in lists
    key: ast.expr | None = None
    if isinstance(expr, ast.Subscript):
        key = expr.slice
    elif isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr == "get":
        key = expr.args[0] if expr.args else None
    return isinstance(key, ast.Constant) and key.value in REPORT_ROWS


_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def _lists(scope: ast.AST) -> set[str]:
    """Names assigned a report list in ``scope`` (``nodes = report.get("nodes") or []``)."""
    found: set[str] = set()
    for node in ast.walk(scope):
        if isinstance(node, ast.Assign) and _is_rows(node.value, set()):
            found.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return found


def _report_row_names(scope: ast.AST, lists: set[str]) -> set[str]:
    """Names that hold a row of a report list in ``scope``: a comprehension's own targets, or a function's
    ``for`` targets."""
    if isinstance(scope, _COMPREHENSIONS):
        return {
            g.target.id
            for g in scope.generators
            if isinstance(g.target, ast.Name) and _is_rows(g.iter, lists)
        }
    return {
        n.target.id
        for n in ast.walk(scope)
        if isinstance(n, ast.For) and isinstance(n.target, ast.Name) and _is_rows(n.iter, lists)
    }


def _receiver(node: ast.AST) -> ast.expr | None:
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return node.func.value
    if isinstance(node, ast.Subscript):
        return node.value
    return None


def _count(tree: ast.AST) -> int:
    """Raw reads in a module; reads on a row of a report list (bound in the same scope) are report data."""
    lists_of: dict[int, set[str]] = {}
    hits = 0

    def visit(node: ast.AST, function: ast.AST, comps: tuple[ast.AST, ...]) -> None:
        nonlocal hits
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            function, comps = node, ()
        elif isinstance(node, _COMPREHENSIONS):
            comps = (*comps, node)
        if _is_raw_read(node):
            receiver = _receiver(node)
            lists = lists_of.setdefault(id(function), _lists(function))
            if not (
                isinstance(receiver, ast.Name)
                and any(receiver.id in _report_row_names(scope, lists) for scope in (*comps, function))
            ):
                hits += 1
        for child in ast.iter_child_nodes(node):
            visit(child, function, comps)

    visit(tree, tree, ())
    return hits


def raw_reads(*, include_packages: bool = False) -> Counter[str]:
    counts: Counter[str] = Counter()
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        if rel.startswith(EXEMPT) or (rel.startswith(ALLOWED_PACKAGES) and not include_packages):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        hits = _count(tree)
        if hits:
            counts[rel] = hits
    return counts


def test_no_raw_kubernetes_field_reads_outside_k8s() -> None:
    counts = raw_reads()
    new = {f: n for f, n in counts.items() if f not in ALLOWED}
    assert not new, f"raw Kubernetes field reads outside homelabctl/k8s/ (use the readers): {new}"
    grown = {f: (n, ALLOWED[f]) for f, n in counts.items() if n > ALLOWED.get(f, 0)}
    assert not grown, f"more raw reads than allowed (now, allowed): {grown}"


def test_allow_list_only_shrinks() -> None:
    counts = raw_reads()
    clean = sorted(f for f in ALLOWED if f not in counts)
    assert not clean, f"no raw reads left: remove from ALLOWED: {clean}"


def test_report_rows_are_not_object_fields() -> None:
    """A report's node rows have a ``status`` too; reading it is not reading an object, reading a node is."""
    sample = ast.parse(
        "def f(report, index):\n"
        "    nodes = report.get('nodes') or []\n"
        "    a = [n['status'] for n in nodes]\n"
        "    b = [n.get('status') for n in report['nodes']]\n"
        "    for row in report.get('nodes') or []:\n"
        "        row['status']\n"
        "    c = [n.get('status') for n in index.all('Node')]\n"
        "def g(n):\n"
        "    return n['status']\n"
    )
    assert _count(sample) == 2


def test_the_lint_sees_raw_reads() -> None:
    sample = ast.parse(
        'a.get("spec"); b["status"]; res.spec.get("x"); doc.raw["kind"]; c.get("name"); '
        "s = ds.spec; t = self.spec; u = r.ref; v = result.status; w = secret.labels.get('status'); "
        "meta.spec(x).get('url'); _status(raw).get('phase'); pod_template_spec(ds).get('volumes'); "
        "pods.images(pod_spec(p)); f(x).get('y')"
    )
    assert sum(1 for node in ast.walk(sample) if _is_raw_read(node)) == 8
