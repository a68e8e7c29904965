"""The scenario suite: one snapshot per seed incident, each with its expected root causes and grouping.

`pytest tests/scenarios -s` prints the accuracy table and the noise figure (findings shown vs root causes
shown: how much reading the diagnosis saves).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from homelabctl.analysis import analyze
from homelabctl.report.build import validate_report
from homelabctl.sources.snapshot import SnapshotSource

HERE = Path(__file__).parent
SCENARIOS = sorted(p.parent for p in HERE.glob("*/expected.yaml"))


def _ref(obj: dict[str, Any]) -> tuple[str, str | None, str]:
    return (str(obj["kind"]), obj.get("namespace") or None, str(obj["name"]))


def evaluate(scenario: Path) -> dict[str, Any]:
    expected = yaml.safe_load((scenario / "expected.yaml").read_text(encoding="utf-8"))
    files = [p for p in sorted(scenario.iterdir()) if p.name != "expected.yaml" and p.suffix in (".yaml", ".json")]
    report = analyze(SnapshotSource(files).load()).report
    validate_report(report)
    by_id = {f["id"]: f for f in report["findings"]}
    causes = report["root_causes"]
    problems: list[str] = []
    wanted = expected.get("root_causes") or []
    if not wanted:
        if causes:
            problems.append(f"expected no root cause, got {[_ref(c['object']) for c in causes]}")
        critical = [f for f in report["findings"] if f["severity"] == "critical"]
        if critical:
            problems.append(f"expected no critical finding, got {[f['check'] for f in critical]}")
    else:
        if not causes:
            problems.append("no root cause found")
        elif _ref(causes[0]["object"]) != _ref(wanted[0]["object"]):
            problems.append(f"top root cause is {_ref(causes[0]['object'])}, expected {_ref(wanted[0]['object'])}")
        for want in wanted:
            match = [c for c in causes if _ref(c["object"]) == _ref(want["object"])]
            if not match:
                problems.append(f"missing root cause {_ref(want['object'])}")
                continue
            cause = match[0]
            if want.get("layer") and cause["layer"] != want["layer"]:
                problems.append(f"{_ref(want['object'])}: layer {cause['layer']}, expected {want['layer']}")
            grouped = {_ref(by_id[s]["object"]) for s in cause["symptoms"]}
            grouped.add(_ref(cause["object"]))
            grouped.add(_ref(by_id[cause["finding"]]["object"]))
            for symptom in want.get("symptoms") or []:
                if _ref(symptom) not in grouped:
                    owner = next((c for c in causes if _ref(by_id[c["finding"]]["object"]) == _ref(symptom)
                                  or any(_ref(by_id[s]["object"]) == _ref(symptom) for s in c["symptoms"])), None)
                    where = f"under {_ref(owner['object'])}" if owner else "not grouped anywhere"
                    problems.append(f"{_ref(symptom)} expected under {_ref(want['object'])}, {where}")
    return {"name": scenario.name, "problems": problems, "findings": len(report["findings"]),
            "root_causes": len(causes)}


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[p.name for p in SCENARIOS])
def test_scenario(scenario: Path) -> None:
    result = evaluate(scenario)
    assert not result["problems"], "\n".join(result["problems"])


def test_suite_accuracy_and_noise() -> None:
    if not SCENARIOS:
        pytest.skip("no scenarios in tests/scenarios")
    results = [evaluate(s) for s in SCENARIOS]
    correct = sum(1 for r in results if not r["problems"])
    findings = sum(r["findings"] for r in results)
    causes = sum(r["root_causes"] for r in results)
    print(f"\n{'scenario':40s} {'ok':>3s} {'findings':>9s} {'causes':>7s}")
    for r in results:
        print(f"{r['name']:40s} {'yes' if not r['problems'] else 'NO':>3s} {r['findings']:9d} {r['root_causes']:7d}")
    print(f"accuracy: {correct}/{len(results)} scenarios; noise: {findings} findings shown vs {causes} root causes "
          f"({findings / max(causes, 1):.1f} findings per cause)")
    assert len(SCENARIOS) >= 10
    assert correct == len(results)
