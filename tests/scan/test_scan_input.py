"""Reading the repository: bad input is reported with file and line and the scan goes on; ignores."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from scan_helpers import flux_repo, run, write

from homelabctl.errors import ConfigError
from homelabctl.scan.config import RepoConfig, ScanConfig, load_config
from homelabctl.scan.engine import scan
from homelabctl.scan.registry import ScanOptions

PLAIN = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {name}\n  namespace: default\nstringData:\n  password: hunter2hunter2\n"


def test_bad_files_become_errors_with_file_and_line_and_the_rest_is_scanned(tmp_path: Path) -> None:
    flux_repo(
        tmp_path,
        {
            "cluster/broken.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: [1, 2\n  b: c\n",
            "cluster/good.yaml": PLAIN.format(name="still-scanned"),
        },
    )
    (tmp_path / "cluster/binary.yaml").write_bytes(b"\x00\x01\x02kind: Secret\x00" * 100)
    (tmp_path / "cluster/latin1.yaml").write_bytes(
        b"apiVersion: v1\nkind: ConfigMap\ndata:\n  city: M\xfcnchen\n"
    )
    huge = tmp_path / "cluster/huge.yaml"
    with huge.open("wb") as handle:
        handle.truncate(100 * 1024 * 1024)  # sparse: 100 MB on paper, nothing read
    os.symlink("loop-b.yaml", tmp_path / "cluster/loop-a.yaml")
    os.symlink("loop-a.yaml", tmp_path / "cluster/loop-b.yaml")
    os.symlink(str(tmp_path / "cluster"), tmp_path / "cluster/self")
    report = run(tmp_path)
    errors = {(e.file, e.line): e.message for e in report.errors}
    assert errors[("cluster/broken.yaml", 7)].startswith("invalid YAML: while parsing a flow sequence")
    assert errors[("cluster/binary.yaml", None)] == "binary content in a YAML-named file, skipped"
    assert errors[("cluster/latin1.yaml", 4)] == "not UTF-8 text (byte 0xfc), skipped"
    assert errors[("cluster/huge.yaml", None)] == "100 MB is over the 10 MB limit (--max-file-size), skipped"
    assert errors[("cluster/loop-a.yaml", None)] == "symlink loop, skipped"
    assert any("symlink loop" in m for (f, _), m in errors.items() if f.startswith("cluster/self"))
    assert [f.object.name for f in report.findings if f.check == "plain-secret"] == ["still-scanned"]
    assert all(len(str(e).splitlines()) == 1 for e in report.errors)


def test_max_file_size_is_configurable(tmp_path: Path) -> None:
    flux_repo(tmp_path, {"cluster/big.yaml": PLAIN.format(name="big") + "# padding\n" * 200})
    report = scan(tmp_path, ScanOptions(render=False, max_file_bytes=1024), config=RepoConfig())
    assert [e.file for e in report.errors] == ["cluster/big.yaml"]
    assert report.findings == []


def test_gitignored_files_are_not_read_with_or_without_git(tmp_path: Path) -> None:
    files = {
        ".gitignore": "# local stuff\n*.local.yaml\n/secrets/\nbuild/\n!keep.local.yaml\n",
        "cluster/a.local.yaml": PLAIN.format(name="ignored-glob"),
        "cluster/keep.local.yaml": PLAIN.format(name="negated"),
        "secrets/x.yaml": PLAIN.format(name="ignored-dir"),
        "cluster/build/x.yaml": PLAIN.format(name="ignored-any-depth"),
        "cluster/app.yaml": PLAIN.format(name="tracked"),
    }
    flux_repo(tmp_path / "plain", files)
    names = sorted(f.object.name for f in run(tmp_path / "plain").findings if f.check == "plain-secret")
    assert names == ["negated", "tracked"]
    repo = flux_repo(tmp_path / "git", files)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    report = run(repo)
    assert report.repo.git
    assert sorted(f.object.name for f in report.findings if f.check == "plain-secret") == [
        "negated",
        "tracked",
    ]


def test_inline_ignore_comments(tmp_path: Path) -> None:
    flux_repo(
        tmp_path,
        {
            "cluster/above.yaml": "# homelabctl: ignore=plain-secret\n" + PLAIN.format(name="above"),
            "cluster/first-line.yaml": "---\napiVersion: v1  # homelabctl: ignore=plain-secret,secret-in-text\n"
            + PLAIN.format(name="first").split("\n", 1)[1],
            "cluster/offending.yaml": PLAIN.format(name="offending").replace(
                "password: hunter2hunter2", "password: hunter2hunter2  # homelabctl: ignore=plain-secret"
            ),
            "cluster/other-rule.yaml": "# homelabctl: ignore=orphan-yaml\n" + PLAIN.format(name="other"),
            "cluster/second-doc.yaml": PLAIN.format(name="one")
            + "---\n# homelabctl: ignore=plain-secret\n"
            + PLAIN.format(name="two"),
        },
    )
    report = run(tmp_path)
    plain = sorted(f.object.name for f in report.findings if f.check == "plain-secret")
    assert plain == ["one", "other"]
    assert report.ignored >= 4


def test_config_file_ignores_rules_and_paths(tmp_path: Path) -> None:
    flux_repo(
        tmp_path,
        {
            ".homelabctl.yaml": "scan:\n  ignore: [secret-in-text]\n  ignore_paths: ['vendor/**', 'cluster/legacy-*.yaml']\n"
            "  kube_version: '1.30'\n",
            "cluster/legacy-app.yaml": PLAIN.format(name="legacy"),
            "cluster/app.yaml": PLAIN.format(name="app"),
            "vendor/chart/secret.yaml": PLAIN.format(name="vendored"),
        },
    )
    config = load_config(tmp_path)
    assert config.scan == ScanConfig(
        ignore=["secret-in-text"], ignore_paths=["vendor/**", "cluster/legacy-*.yaml"], kube_version="1.30"
    )
    report = scan(tmp_path, ScanOptions(render=False), config=config)
    # vendor/ is an orphan directory too, but nothing under an ignored path is reported.
    assert {(f.check, f.object.name) for f in report.findings} == {("plain-secret", "app")}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("scan:\n  ignore: [no-such-rule]\n", "scan.ignore names unknown rule(s): no-such-rule"),
        ("scan:\n  ignor: [plain-secret]\n", "scan.ignor: Extra inputs are not permitted"),
        ("scan:\n  kube_version: 1.30\n", "quote the version"),
        ("scan: [\n", "invalid YAML"),
        ("- just\n- a list\n", "expected a mapping"),
    ],
)
def test_bad_config_is_a_config_error(tmp_path: Path, text: str, message: str) -> None:
    write(tmp_path, {".homelabctl.yaml": text})
    with pytest.raises(
        ConfigError, match=message.replace("[", r"\[").replace("(", r"\(").replace(")", r"\)")
    ):
        scan(tmp_path, ScanOptions(render=False))


def test_yaml_that_is_not_kubernetes_is_not_an_object(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "values.yaml": "replicaCount: 2\n",
            "list.yaml": "- a\n- b\n",
            "empty.yaml": "",
            "only-comments.yaml": "# nothing\n---\n",
        },
    )
    report = run(tmp_path)
    assert report.errors == [] and report.repo.objects == [] and len(report.repo.docs) == 2
