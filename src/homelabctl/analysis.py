"""One call from a ClusterState to everything a report needs: checks, scores, diagnosis, the JSON report."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec

from homelabctl.checks.registry import CheckSpec
from homelabctl.diagnose.model import RootCause
from homelabctl.engine import CheckRun, run_checks
from homelabctl.gcutil import gc_paused
from homelabctl.k8s.memo import run_scope
from homelabctl.report.build import build_report
from homelabctl.scores import Score, compute_scores
from homelabctl.sources.base import ClusterState, LoadError


class Analysis(msgspec.Struct):
    state: ClusterState
    run: CheckRun
    scores: dict[str, Score]
    root_causes: list[RootCause]
    report: dict[str, Any]


def diagnose_run(state: ClusterState, run: CheckRun) -> list[RootCause]:
    """Root causes, or none with a load error saying why: a diagnosis bug must not cost the user the
    findings themselves."""
    from homelabctl.diagnose.engine import diagnose

    try:
        return diagnose(state, run.findings)
    except Exception as exc:
        state.errors.append(
            LoadError(
                "diagnosis",
                f"diagnosis failed, findings shown without root causes: {type(exc).__name__}: {exc}",
            )
        )
        return []


def analyze(
    state: ClusterState, specs: Sequence[CheckSpec] | None = None, *, with_diagnosis: bool = True
) -> Analysis:
    # the diagnosis reads the same objects as the checks did; no garbage cycles are made (see run_checks)
    with run_scope(), gc_paused():
        run = run_checks(state, specs)
        scores = compute_scores(state, run)
        causes = diagnose_run(state, run) if with_diagnosis else []
        report = build_report(state, run, scores, causes)
    return Analysis(state, run, scores, causes, report)
