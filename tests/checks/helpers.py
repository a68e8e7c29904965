"""Run one check by id over a list of objects and return its findings."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from homelabctl.checks.registry import REGISTRY, all_checks
from homelabctl.engine import CheckResult, run_checks
from homelabctl.model import Finding

from factories import state


def run_one(check_id: str, objects: Iterable[dict[str, Any]], *, captured: Iterable[str] = ()) -> CheckResult:
    all_checks()
    spec = REGISTRY[check_id]
    return run_checks(state(objects, captured=captured), [spec]).results[0]


def findings(
    check_id: str, objects: Iterable[dict[str, Any]], *, captured: Iterable[str] = ()
) -> list[Finding]:
    result = run_one(check_id, objects, captured=captured)
    assert result.status in ("passed", "failed"), f"{check_id} not evaluated: {result.reason}"
    return list(result.findings)
