"""Every check is documented and tested (whether docs/rules.md is current: tests/test_generated.py)."""

from __future__ import annotations

from pathlib import Path

from homelabctl.checks.registry import all_checks

ROOT = Path(__file__).resolve().parents[1]


def test_every_check_is_documented_and_has_tests() -> None:
    tests = {p.name for p in (ROOT / "tests" / "checks").glob("test_*.py")}
    for spec in all_checks():
        assert len(spec.doc.splitlines()) >= 3, f"{spec.id}: docstring too thin to be its documentation"
        assert f"test_{spec.id.replace('-', '_')}.py" in tests, f"{spec.id} has no test file"


def test_at_least_35_checks_over_all_layers() -> None:
    specs = all_checks()
    assert len(specs) >= 35
    assert {s.layer.value for s in specs} >= {
        "network",
        "node",
        "storage",
        "platform",
        "workload",
        "gpu",
        "security",
        "backup",
        "monitoring",
    }
