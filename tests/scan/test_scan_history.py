"""--history: a secret committed in clear and removed later is still reported, with its commit."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from scan_helpers import flux_repo, run, write

pytestmark = pytest.mark.skipif(
    subprocess.run(["git", "--version"], capture_output=True).returncode != 0, reason="git not installed"
)


def git(root: Path, *args: str) -> str:
    env_args = [
        "-c",
        "user.name=Night Shift",
        "-c",
        "user.email=night@fletcherlabs.net",
        "-c",
        "commit.gpgsign=false",
    ]
    return subprocess.run(
        ["git", "-C", str(root), *env_args, *args], check=True, capture_output=True, text=True
    ).stdout.strip()


PLAIN = """\
apiVersion: v1
kind: Secret
metadata:
  name: oauth2-proxy
  namespace: monitoring
type: Opaque
stringData:
  client-secret: kq3Vt0fB8wYp2RmZ7xLs
  cookie-secret: 9f2c4e1a7b3d5f609f2c4e1a7b3d5f60
"""


def test_history_reports_secrets_removed_since(tmp_path: Path) -> None:
    repo = flux_repo(tmp_path, {"cluster/README.md": "monitoring\n"})
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Bootstrap flux")
    write(
        repo,
        {
            "cluster/oauth2-proxy-secret.yaml": PLAIN,
            "scripts/b2.sh": "#!/bin/sh\nexport GITHUB_TOKEN=ghp_R2d8Kq7Lm3Np9Xz4Vb6Hc1Jf5Gt0Ws2Ye8Ua\n",
        },
    )
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "OAuth2-Proxy: plain secret as workaround until SOPS works")
    leak = git(repo, "rev-parse", "HEAD")
    (repo / "cluster/oauth2-proxy-secret.yaml").unlink()
    (repo / "scripts/b2.sh").write_text('#!/bin/sh\n: "${GITHUB_TOKEN:?}"\n')
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Remove plain secret")

    assert run(repo).findings == []  # the work tree is clean
    report = run(repo, history=True)
    found = [f for f in report.findings if f.check == "secret-in-history"]
    assert len(found) == 3
    assert {(f.file, f.line) for f in found} == {
        ("cluster/oauth2-proxy-secret.yaml", 8),
        ("cluster/oauth2-proxy-secret.yaml", 9),
        ("scripts/b2.sh", 2),
    }
    for finding in found:
        assert leak[:12] in finding.message
        assert f"commit {leak} " in finding.evidence[0]
        assert "plain secret as workaround" in finding.evidence[0]
        assert finding.severity.value == "critical"
        assert finding.hint.startswith("Rotate it")
    token = next(f for f in found if f.file == "scripts/b2.sh")
    assert "GitHub token" in token.message and "a file that still exists" in token.message
    assert token.evidence[1] == "scripts/b2.sh:2: ghp_********"
    secret = next(f for f in found if f.line == 8)
    assert secret.object.kind == "Secret" and secret.object.name == "oauth2-proxy"
    assert "kq3Vt0fB8wYp2RmZ7xLs" not in str(found) and "R2d8Kq7" not in str(found)


def test_history_does_not_repeat_what_the_tree_still_holds(tmp_path: Path) -> None:
    repo = flux_repo(
        tmp_path, {"scripts/b2.sh": "export GITHUB_TOKEN=ghp_R2d8Kq7Lm3Np9Xz4Vb6Hc1Jf5Gt0Ws2Ye8Ua\n"}
    )
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "add script")
    report = run(repo, history=True)
    assert [f.check for f in report.findings] == ["secret-in-text"]


def test_history_on_a_directory_that_is_not_a_repo_is_an_error_not_a_crash(tmp_path: Path) -> None:
    flux_repo(tmp_path, {"cluster/x.yaml": ""})
    report = run(tmp_path, history=True)
    assert report.findings == []
    assert [e.file for e in report.errors] == ["(git history)"]


def test_history_skips_huge_blobs_and_lines_without_holding_them(tmp_path: Path) -> None:
    repo = flux_repo(tmp_path, {"cluster/README.md": "monitoring\n"})
    git(repo, "init", "-q", "-b", "main")
    big = (
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: big\nstringData:\n  blob: "
        + "A" * (11 * 1024 * 1024)
        + "\n"
    )
    write(
        repo,
        {
            "cluster/big.yaml": big,
            "cluster/minified.js": "x=1;" * 400_000 + "\n",
            "scripts/k3s.sh": "K3S_TOKEN=K10559b09c388007decb51667fa54906c945234055fcad1881305abbd5e7c8545e1"
            "::server:8779970375c0de552cc23baf0b13c1d0\n",
        },
    )
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "vendor a blob")
    for rel in ("cluster/big.yaml", "cluster/minified.js", "scripts/k3s.sh"):
        (repo / rel).unlink()
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "remove")
    report = run(repo, history=True)
    found = [f for f in report.findings if f.check == "secret-in-history"]
    assert [(f.file, f.severity.value) for f in found] == [("scripts/k3s.sh", "critical")]
    assert "K3s server join token" in found[0].message
