"""Generated documentation stays in step with the code."""

from __future__ import annotations

from pathlib import Path

from homelabctl.checks.registry import all_checks
from homelabctl.docs_gen import rules_markdown

ROOT = Path(__file__).resolve().parents[1]


def test_rules_md_is_generated_from_the_registry() -> None:
    committed = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert committed == rules_markdown(), "docs/rules.md is stale: run `python -m homelabctl.docs_gen`"


def test_every_check_is_documented_and_has_tests() -> None:
    tests = {p.name for p in (ROOT / "tests" / "checks").glob("test_*.py")}
    for spec in all_checks():
        assert len(spec.doc.splitlines()) >= 3, f"{spec.id}: docstring too thin to be its documentation"
        assert f"test_{spec.id.replace('-', '_')}.py" in tests, f"{spec.id} has no test file"


def test_at_least_35_checks_over_all_layers() -> None:
    specs = all_checks()
    assert len(specs) >= 35
    assert {s.layer.value for s in specs} >= {"network", "node", "storage", "platform", "workload", "gpu",
                                              "security", "backup", "monitoring"}
