"""Report formats and the command line: JSON schema, SARIF 2.1.0 structure, markdown, exit codes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import cast

import jsonschema
import pytest
from click.testing import CliRunner
from scan_helpers import REPOS, flux_repo, run

from homelabctl.cli import cli
from homelabctl.scan.registry import all_rules
from homelabctl.scan.render import report_schema, to_json, to_markdown, to_sarif


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["scan", *args], catch_exceptions=False)
    return result.exit_code, result.output


def test_json_report_validates_and_keeps_the_finding_shape() -> None:
    data = to_json(run(REPOS / "leaky"))
    jsonschema.validate(data, report_schema())
    assert data["schema"] == "homelabctl.scan/v1"
    first = data["findings"][0]
    assert set(first) == {
        "id",
        "check",
        "layer",
        "severity",
        "object",
        "message",
        "evidence",
        "hint",
        "file",
        "line",
        "fingerprint",
    }
    assert data["summary"]["critical"] == sum(1 for f in data["findings"] if f["severity"] == "critical")
    ranks = [{"critical": 0, "warning": 1, "info": 2}[f["severity"]] for f in data["findings"]]
    assert ranks == sorted(ranks)  # worst first
    assert sum(r["critical"] + r["warning"] + r["info"] for r in data["by_rule"]) == len(data["findings"])


def test_schema_rejects_a_malformed_report() -> None:
    data = to_json(run(REPOS / "leaky"))
    data["findings"][0]["severity"] = "fatal"
    try:
        jsonschema.validate(data, report_schema())
    except jsonschema.ValidationError:
        return
    raise AssertionError("schema accepted an unknown severity")


def test_sarif_structure() -> None:
    report = run(REPOS / "seed-homelab")
    sarif = to_sarif(report, uri_prefix="tests/repos/seed-homelab")
    assert sarif["version"] == "2.1.0" and sarif["$schema"].endswith("sarif-2.1.0.json")
    [sarif_run] = sarif["runs"]
    driver = sarif_run["tool"]["driver"]
    assert driver["name"] == "homelabctl"
    rule_ids = [r["id"] for r in driver["rules"]]
    assert rule_ids == [r.id for r in all_rules()]
    for rule in driver["rules"]:
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
        assert rule["helpUri"].endswith("#" + rule["id"]) and rule["properties"]["security-severity"]
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")
    assert len(sarif_run["results"]) == len(report.findings)
    for result in sarif_run["results"]:
        assert result["ruleId"] in rule_ids and rule_ids[result["ruleIndex"]] == result["ruleId"]
        assert result["level"] in ("error", "warning", "note") and result["message"]["text"]
        [location] = result["locations"]
        physical = location["physicalLocation"]
        assert physical["artifactLocation"]["uri"].startswith("tests/repos/seed-homelab/")
        assert not physical["artifactLocation"]["uri"].startswith("/")
        assert physical["region"]["startLine"] >= 1
        assert result["partialFingerprints"]["homelabctlFindingHash/v1"]
        assert float(result["properties"]["security-severity"]) > 0
    longhorn = next(r for r in sarif_run["results"] if r["ruleId"] == "longhorn-kubelet-root-dir")
    assert longhorn["level"] == "error"
    assert (
        longhorn["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        == "tests/repos/seed-homelab/infrastructure/longhorn.yaml"
    )
    assert longhorn["locations"][0]["physicalLocation"]["region"]["startLine"] == 19


def test_markdown_worst_first_with_a_count_per_rule() -> None:
    text = to_markdown(run(REPOS / "broken-graph"))
    assert text.startswith("# homelabctl scan report")
    assert "| `ks-path-missing` | 1 | 0 | 0 |" in text
    assert "- `ks-path-missing` `clusters/k3s-home/infrastructure.yaml:24`: " in text
    assert text.index("## 🔴 Critical") < text.index("## 🔵 Info")
    assert "No findings." in to_markdown(run(REPOS / "clean"))


def test_cli_exit_codes_and_fail_on(tmp_path: Path) -> None:
    code, out = invoke(str(REPOS / "clean"), "--no-render")
    assert code == 0 and "no findings" in out
    code, out = invoke(str(REPOS / "broken-graph"), "--no-render")
    assert code == 1 and "ks-path-missing" in out and "clusters/k3s-home/infrastructure.yaml" in out
    flux_repo(
        tmp_path,
        {
            "cluster/app.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n"
            "  selector: {matchLabels: {app: web}}\n  template:\n"
            "    metadata: {labels: {app: web}}\n"
            "    spec: {containers: [{name: web, image: nginx}]}\n"
        },
    )
    assert invoke(str(tmp_path))[0] == 0  # only a warning
    assert invoke(str(tmp_path), "--fail-on", "warning")[0] == 1
    code, out = invoke(str(tmp_path), "--fail-on", "warning", "--min-severity", "critical")
    assert code == 0 and "no findings" in out
    assert invoke(str(REPOS / "broken-graph"), "--fail-on", "none", "--no-render")[0] == 0


def test_cli_bad_input_exits_2(tmp_path: Path) -> None:
    from homelabctl.cli import main

    for args in (
        [str(tmp_path / "missing")],
        [str(tmp_path), "--rule", "nope"],
        [str(tmp_path), "--kube-version", "x"],
    ):
        try:
            main(["scan", *args])
        except SystemExit as exc:
            assert exc.code == 2, args
        else:
            raise AssertionError(f"no exit for {args}")


def test_cli_json_sarif_markdown_to_files(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    code, _ = invoke(
        str(REPOS / "leaky"), "-o", "json", "--schema", "v1", "--output-file", str(out), "--no-render"
    )
    assert code == 1
    jsonschema.validate(json.loads(out.read_text()), report_schema())
    code, text = invoke(str(REPOS / "leaky"), "-o", "sarif", "--no-render")
    assert json.loads(text)["version"] == "2.1.0"
    code, text = invoke(str(REPOS / "leaky"), "-o", "markdown", "--no-render", "--rule", "plain-secret")
    assert "plain-secret" in text and "secret-in-text" not in text


def test_cli_list_objects_and_rules() -> None:
    code, out = invoke(str(REPOS / "clean"), "--list", "--no-render")
    assert code == 0 and "Kustomization flux-system/apps" in out and "Deployment media/jellyfin" in out
    code, out = invoke("--list-rules")
    assert code == 0 and len(out.splitlines()) == len(all_rules())
    assert out.splitlines()[0].split()[0] == all_rules()[0].id


def _hr(name: str) -> str:
    return (
        f"---\napiVersion: helm.toolkit.fluxcd.io/v2beta1\nkind: HelmRelease\nmetadata:\n  name: {name}\n"
        f"  namespace: media\nspec:\n  interval: 30m\n  chart:\n    spec:\n      chart: {name}\n"
        f"      version: 1.0.0\n      sourceRef:\n        kind: HelmRepository\n        name: charts\n"
        f"        namespace: flux-system\n"
    )


def _folding_repo(root: Path) -> Path:
    files = {f"cluster/apps/{n}.yaml": _hr(n) for n in ("sonarr", "radarr", "lidarr", "prowlarr")}
    files["cluster/sources.yaml"] = (
        "apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata:\n"
        "  name: charts\n  namespace: flux-system\nspec:\n  interval: 1h\n"
        "  url: https://charts.example.org\n"
    )
    files["scripts/join.sh"] = (
        "K3S_TOKEN=K10559b09c388007decb51667fa54906c945234055fcad1881305abbd5e7c8545e1"
        "::server:8779970375c0de552cc23baf0b13c1d0\n"
    )
    return cast("Path", flux_repo(root, files))


def test_repeated_findings_with_one_fix_fold_and_verbose_expands(tmp_path: Path) -> None:
    repo = _folding_repo(tmp_path / "repo")
    code, out = invoke(str(repo), "--no-render", "--rule", "deprecated-api", "--rule", "secret-in-text")
    assert code == 1
    assert "deprecated-api ×4" in out and "4 findings share one fix" in out and "flux migrate" in out
    assert out.index("CRITICAL (1)") < out.index("WARNING (4)")  # worst first
    assert "By rule" in out
    for name in ("sonarr", "radarr", "lidarr", "prowlarr"):
        assert f"cluster/apps/{name}.yaml:2 HelmRelease media/{name}" in out
    _code, verbose = invoke(str(repo), "--no-render", "--rule", "deprecated-api", "--verbose")
    assert "×4" not in verbose and verbose.count("deprecated-api") >= 5


def test_baseline_reports_only_what_is_new(tmp_path: Path) -> None:
    repo = _folding_repo(tmp_path / "repo")
    baseline = tmp_path / "baseline.json"
    code, _out = invoke(str(repo), "--no-render", "--write-baseline", str(baseline))
    assert code == 1 and baseline.is_file()
    stored = json.loads(baseline.read_text())
    assert stored["schema"] == "homelabctl.scan-baseline/v1" and len(stored["findings"]) == 5
    assert "8779970375c0" not in baseline.read_text()  # fingerprints and masked messages only
    code, out = invoke(str(repo), "--no-render", "--baseline", str(baseline))
    assert code == 0 and "no findings" in out and "5 in the baseline" in out
    # Lines move, the baseline still holds; a new secret is reported.
    join = repo / "scripts/join.sh"
    join.write_text("#!/bin/sh\n\n" + join.read_text() + "PGPASSWORD=kq3Vt0fB8wYp2RmZ7xLs psql\n")
    code, out = invoke(str(repo), "--no-render", "--baseline", str(baseline), "-o", "json")
    data = json.loads(out)
    assert code == 1 and [(f["check"], f["line"]) for f in data["findings"]] == [("secret-in-text", 4)]
    assert data["summary"]["baselined"] == 5
    from homelabctl.cli import main

    with pytest.raises(SystemExit) as exited:
        main(["scan", str(repo), "--no-render", "--baseline", str(tmp_path / "missing.json")])
    assert exited.value.code == 2


def test_a_piped_scan_of_a_clean_repo_imports_only_what_it_needs() -> None:
    """Start-up is a large part of a scan process: pydantic, jsonschema, rich and detect-secrets (and the
    requests library it would pull in) stay unimported when nothing needs them."""
    import subprocess
    import sys

    # The real command leaves with os._exit once its output is flushed; make that a SystemExit here so the
    # child can still list its modules afterwards.
    code = (
        "import os, sys\ndef _leave(code):\n    raise SystemExit(code)\nos._exit = _leave\n"
        "from homelabctl.cli import main\ntry:\n    main(['scan', sys.argv[1], '--no-render'])\n"
        "except SystemExit:\n    pass\n"
        "print(sorted(m for m in ('pydantic', 'jsonschema', 'rich', 'detect_secrets', 'requests', 'kubernetes')"
        " if m in sys.modules), file=sys.stderr)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(REPOS / "clean")],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert "no findings" in out.stdout
    assert out.stderr.strip().splitlines()[-1] == "[]"
