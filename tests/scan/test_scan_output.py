"""Report formats and the command line: JSON schema, SARIF 2.1.0 structure, markdown, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
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
    assert set(first) == {"id", "check", "layer", "severity", "object", "message", "evidence", "hint", "file", "line"}
    assert data["summary"]["critical"] == sum(1 for f in data["findings"] if f["severity"] == "critical")


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
    longhorn = next(r for r in sarif_run["results"] if r["ruleId"] == "longhorn-kubelet-root-dir")
    assert longhorn["level"] == "error"
    assert longhorn["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == \
        "tests/repos/seed-homelab/infrastructure/longhorn.yaml"
    assert longhorn["locations"][0]["physicalLocation"]["region"]["startLine"] == 19


def test_markdown_groups_by_file() -> None:
    text = to_markdown(run(REPOS / "broken-graph"))
    assert text.startswith("# homelabctl scan report")
    assert "## `clusters/k3s-home/infrastructure.yaml`" in text
    assert "🔴 **critical** `ks-path-missing` (line 24)" in text
    assert "No findings." in to_markdown(run(REPOS / "clean"))


def test_cli_exit_codes_and_fail_on(tmp_path: Path) -> None:
    code, out = invoke(str(REPOS / "clean"), "--no-render")
    assert code == 0 and "no findings" in out
    code, out = invoke(str(REPOS / "broken-graph"), "--no-render")
    assert code == 1 and "ks-path-missing" in out and "clusters/k3s-home/infrastructure.yaml" in out
    flux_repo(tmp_path, {"cluster/app.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n"
                                             "  selector: {matchLabels: {app: web}}\n  template:\n"
                                             "    metadata: {labels: {app: web}}\n"
                                             "    spec: {containers: [{name: web, image: nginx}]}\n"})
    assert invoke(str(tmp_path))[0] == 0  # only a warning
    assert invoke(str(tmp_path), "--fail-on", "warning")[0] == 1
    code, out = invoke(str(tmp_path), "--fail-on", "warning", "--min-severity", "critical")
    assert code == 0 and "no findings" in out
    assert invoke(str(REPOS / "broken-graph"), "--fail-on", "none", "--no-render")[0] == 0


def test_cli_bad_input_exits_2(tmp_path: Path) -> None:
    from homelabctl.cli import main

    for args in ([str(tmp_path / "missing")], [str(tmp_path), "--rule", "nope"], [str(tmp_path), "--kube-version", "x"]):
        try:
            main(["scan", *args])
        except SystemExit as exc:
            assert exc.code == 2, args
        else:
            raise AssertionError(f"no exit for {args}")


def test_cli_json_sarif_markdown_to_files(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    code, _ = invoke(str(REPOS / "leaky"), "-o", "json", "--schema", "v1", "--output-file", str(out), "--no-render")
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
