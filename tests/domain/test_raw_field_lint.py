"""Kubernetes fields are read in ``homelabctl/k8s/`` only: a lint over the source tree.

A raw read is ``x.get("spec")``, ``x["status"]``, ``x.get("metadata")``... (any top-level section of an
object), a read through a Resource/Doc section (``res.spec.get(...)``, ``doc.spec["rules"]``,
``res.raw.get(...)``), or a section handed to a local name (``spec = res.spec``). Condition and report
dicts read with ``.get("status")`` count too: read conditions through ``k8s.conditions``. Files not yet migrated are listed in ``ALLOWED`` with how many raw reads they still
have; the count may only go down, and a file that reaches zero must leave the list.
"""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

SRC = Path(__file__).parents[2] / "src" / "homelabctl"
SECTIONS = frozenset({"spec", "status", "metadata"})
SECTION_ATTRS = frozenset({"spec", "status", "metadata", "raw"})
ALIASED = frozenset({"spec", "metadata", "raw"})
EXEMPT = ("k8s/", "model.py")
"""The readers themselves, and Resource, which holds the raw object and hands out its sections."""

ALLOWED_PACKAGES = (
    "diagnose/",
    "live/",
    "incidents/",
    "cli/",
    "report/",
    "inventory/",
    "watch/",
    "scan/flux.py",
    "scan/history.py",
    "scan/render.py",
    "scan/repo.py",
    "scan/schema.py",
    "scan/rules/dependency_cycle.py",
    "scan/rules/gpu_quota_exceeded.py",
    "scan/rules/helmrelease_depends_on_missing.py",
    "scan/rules/values_from_missing.py",
    "scan/rules/wildcard_cert_http01.py",
)
"""Being rewritten by other work in progress (the diagnosis rules, the live source and server, watch, the scan
engine and its rules, the CLI and renderers): allowed whole, without counts, until that work lands. Shrink
this list as they move onto the readers; the scan rules not listed here already read through them."""

ALLOWED: dict[str, int] = {
    "checks/network/cluster_dns_unhealthy.py": 3,
    "checks/network/networkpolicy_blocks_traffic.py": 13,
    "checks/network/service_no_ready_endpoints.py": 1,
    "checks/platform/_common.py": 1,
    "checks/platform/admission_webhook_unavailable.py": 5,
    "checks/platform/flux_not_ready.py": 6,
    "checks/platform/flux_source_failed.py": 10,
    "checks/platform/helm_release_pending.py": 7,
    "checks/platform/image_registry_failing.py": 6,
    "checks/storage/longhorn_volume_degraded.py": 16,
    "checks/storage/nfs_server_unreachable.py": 4,
    "checks/storage/pvc_storage_class_missing.py": 5,
    "checks/workload/_common.py": 1,
    "checks/workload/pod_image_pull.py": 3,
    "paperwork/docs.py": 2,  # the report's node rows (n["status"]), not object fields
    "paperwork/handoff.py": 2,  # the report's node rows, not object fields
}
"""Files not migrated yet, with how many raw reads each still has. Lower a count when you migrate reads;
never raise one."""


def _is_raw_read(node: ast.AST) -> bool:
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get":
        first = node.args[0] if node.args else None
        if isinstance(first, ast.Constant) and first.value in SECTIONS:
            return True
        target = node.func.value
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


def raw_reads(*, include_packages: bool = False) -> Counter[str]:
    counts: Counter[str] = Counter()
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        if rel.startswith(EXEMPT) or (rel.startswith(ALLOWED_PACKAGES) and not include_packages):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        hits = sum(1 for node in ast.walk(tree) if _is_raw_read(node))
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


def test_the_lint_sees_raw_reads() -> None:
    sample = ast.parse(
        'a.get("spec"); b["status"]; res.spec.get("x"); doc.raw["kind"]; c.get("name"); '
        "s = ds.spec; t = self.spec; u = r.ref; v = result.status"
    )
    assert sum(1 for node in ast.walk(sample) if _is_raw_read(node)) == 5
