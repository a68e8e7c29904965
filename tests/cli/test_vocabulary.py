"""The shared options at work: exit codes, namespaces, skips, the ignore file, old spellings, atomic files."""

from __future__ import annotations

import json
import os
import shutil
from datetime import date
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from homelabctl.cli import main
from homelabctl.errors import ConfigError
from homelabctl.ignorefile import load_ignores

REPOS = Path(__file__).resolve().parents[1] / "repos"


@click.command(
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True, "help_option_names": []}
)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def _entry(args: tuple[str, ...]) -> None:
    main(list(args))


def run(*args: str, cwd: Path | None = None) -> Result:
    """Through `main`, so errors map to exit codes as for a user (2: bad input)."""
    runner = CliRunner()
    old = Path.cwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        return runner.invoke(_entry, list(args))
    finally:
        os.chdir(old)


@pytest.mark.parametrize("command", ["check", "diagnose"])
def test_check_and_diagnose_share_exit_codes(command: str) -> None:
    assert run(command, "--demo", "-o", "json").exit_code == 1  # critical findings
    assert run(command, "--demo", "-o", "json", "--fail-on", "never").exit_code == 0
    assert run(command, "--demo", "-o", "json", "--fail-on", "bogus").exit_code == 2
    assert run(command, "--snapshot", "/nonexistent/snap.json").exit_code == 2


def test_scan_uses_the_same_fail_on(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(REPOS / "leaky", repo)
    assert run("scan", str(repo), "-o", "json").exit_code == 1
    assert run("scan", str(repo), "-o", "json", "--fail-on", "never").exit_code == 0
    assert run("scan", str(repo), "-o", "json", "--fail-on", "none").exit_code == 0


def test_namespace_filter_keeps_causes_of_what_it_shows() -> None:
    result = run("check", "--demo", "-o", "json", "-n", "media", "--fail-on", "never")
    report = json.loads(result.stdout)
    ids = {f["id"] for f in report["findings"]}
    assert report["findings"]
    for finding in report["findings"]:
        in_media = finding["object"]["namespace"] == "media"
        assert in_media or finding["id"] in {rc["finding"] for rc in report["root_causes"]}, finding
    assert all(rc["finding"] in ids for rc in report["root_causes"])
    both = json.loads(run("diagnose", "--demo", "-o", "json", "-n", "media", "-n", "velero").stdout)
    assert {f["object"]["namespace"] for f in both["findings"]} >= {"media", "velero"}
    everything = json.loads(run("check", "--demo", "-o", "json", "-A").stdout)
    assert len(everything["findings"]) > len(report["findings"])


def test_skip_hides_a_check_and_changes_the_exit_code() -> None:
    base = ["check", "--demo", "-o", "json", "--fail-on", "warning", "--layer", "node"]
    shown = json.loads(run(*base).stdout)
    assert any(f["check"] == "single-control-plane" for f in shown["findings"])
    skipped = run(*base, "--skip", "single-control-plane")
    report = json.loads(skipped.stdout)
    assert not any(f["check"] == "single-control-plane" for f in report["findings"])
    assert report["summary"]["ignored"] >= 1
    assert run("check", "--demo", "--skip", "no-such-check").exit_code == 2


def test_ignore_file_entries_need_a_reason_and_expire(tmp_path: Path) -> None:
    ignore = tmp_path / ".homelabctl.yaml"
    ignore.write_text("ignore:\n  - id: single-control-plane\n")
    with pytest.raises(ConfigError, match="reason"):
        load_ignores(ignore)
    ignore.write_text(
        'ignore:\n  - id: single-control-plane\n    reason: "accepted: one control plane"\n'
        "  - id: pod-crashloop\n    namespace: velero\n    reason: known\n    expires: 2025-01-01\n"
    )
    ignores = load_ignores(None, default_dir=tmp_path, today=date(2025, 6, 16))
    assert ignores.ignored("single-control-plane", {"kind": "Node", "namespace": None, "name": "k3s-master1"})
    assert not ignores.ignored("pod-crashloop", {"kind": "Pod", "namespace": "velero", "name": "minio-x"})
    assert "expired on 2025-01-01" in ignores.warnings[0]

    result = run("check", "--demo", "-o", "json", "--fail-on", "never", cwd=tmp_path)
    report = json.loads(result.stdout)
    assert not any(f["check"] == "single-control-plane" for f in report["findings"])
    assert any(
        f["check"] == "pod-crashloop" and f["object"]["namespace"] == "velero" for f in report["findings"]
    )
    assert "expired on 2025-01-01" in result.stderr
    explicit = run("diagnose", "--demo", "-o", "json", "--ignore-file", str(ignore), "--fail-on", "never")
    assert not any(f["check"] == "single-control-plane" for f in json.loads(explicit.stdout)["findings"])
    assert run("check", "--demo", "--ignore-file", str(tmp_path / "missing.yaml")).exit_code == 2


def test_scan_honours_the_shared_ignore_entries(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(REPOS / "leaky", repo)
    before = json.loads(run("scan", str(repo), "-o", "json", "--fail-on", "never").stdout)
    rule = (
        before["findings"][0]["rule"] if "rule" in before["findings"][0] else before["findings"][0]["check"]
    )
    (repo / ".homelabctl.yaml").write_text(f"ignore:\n  - id: {rule}\n    reason: accepted for this test\n")
    after = json.loads(run("scan", str(repo), "-o", "json", "--fail-on", "never").stdout)
    key = "rule" if "rule" in before["findings"][0] else "check"
    assert not any(f[key] == rule for f in after["findings"])
    assert len(after["findings"]) < len(before["findings"])


def test_old_spellings_warn_and_keep_working(tmp_path: Path) -> None:
    doc = tmp_path / "CLUSTER-SETUP.md"
    result = run("docs", "--demo", "-o", str(doc))
    assert result.exit_code == 0 and doc.read_text().startswith("# K3s Homelab Cluster Setup Documentation")
    assert "homelabctl: warning: deprecated: -o FILE is now --output-file FILE" in result.stderr
    handoff = tmp_path / "HANDOFF.md"
    result = run("handoff", "--demo", "--no-record", "-o", str(handoff))
    assert result.exit_code == 0 and handoff.is_file() and "deprecated" in result.stderr
    inventory = tmp_path / "homelab.yaml"
    result = run("inventory", "init", "--demo", "-o", str(inventory))
    assert result.exit_code == 0 and inventory.is_file() and "deprecated" in result.stderr
    assert (tmp_path / "homelab.schema.json").is_file()
    tree = run("diagnose", "--demo", "-o", "tree", "--fail-on", "never")
    assert tree.exit_code == 0 and "-o tree is now -o table" in tree.stderr
    # capture parses the old spelling before it reads the (absent) cluster
    capture = run(
        "snapshot",
        "capture",
        "-o",
        str(tmp_path / "snap.tar.gz"),
        "--kubeconfig",
        str(tmp_path / "no-kubeconfig"),
    )
    assert "deprecated: -o FILE is now --output-file FILE" in capture.stderr
    assert run("docs", "--demo", "-o", "x.md", "--output-file", str(doc)).exit_code == 2


def test_prometheus_textfile_is_written_atomically_with_run_metrics(tmp_path: Path) -> None:
    from prometheus_client.parser import text_string_to_metric_families

    out = tmp_path / "homelabctl.prom"
    out.write_text("old content\n")
    result = run("check", "--demo", "-o", "prometheus", "--output-file", str(out))
    assert result.exit_code == 1
    families = {f.name: f for f in text_string_to_metric_families(out.read_text())}
    assert families["homelabctl_last_run_success"].samples[0].value == 0
    assert families["homelabctl_last_run_timestamp_seconds"].samples[0].value > 1.7e9
    assert sorted(p.name for p in tmp_path.iterdir()) == ["homelabctl.prom"]  # no temp file left behind
    run("check", "--demo", "-o", "prometheus", "--output-file", str(out), "--fail-on", "never")
    families = {f.name: f for f in text_string_to_metric_families(out.read_text())}
    assert families["homelabctl_last_run_success"].samples[0].value == 1


def test_atomic_write_replaces_by_rename(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from homelabctl.cli import options

    renames: list[tuple[str, str]] = []
    real = os.replace

    def spy(src: str, dst: str) -> None:
        renames.append((str(src), str(dst)))
        real(src, dst)

    monkeypatch.setattr(os, "replace", spy)  # the os module options.write_atomic calls
    target = tmp_path / "out.txt"
    options.write_atomic(target, "hello\n")
    assert target.read_text() == "hello\n"
    assert len(renames) == 1 and Path(renames[0][0]).parent == tmp_path and renames[0][1] == str(target)


def test_an_alias_bomb_in_the_ignore_file_is_refused_not_expanded(tmp_path: Path) -> None:
    """The ignore file can come with an untrusted repository: it is read with the bounded parser."""
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]']
    lines += [
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},"
        f"*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)}]"
        for i in range(8)
    ]
    bomb = tmp_path / ".homelabctl.yaml"
    bomb.write_text("\n".join(lines) + "\nignore: []\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\.homelabctl\.yaml"):
        load_ignores(bomb)
