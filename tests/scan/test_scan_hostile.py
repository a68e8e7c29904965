"""An untrusted repository runs nothing, fetches nothing, reads nothing outside and stays in bounded memory.

Each test first shows the attack works on the tool the scan drives (plain git runs the repository's
fsmonitor; the local server answers), then that the scan does not fall for it.
"""

from __future__ import annotations

import http.server
import json
import shutil
import stat
import subprocess
import sys
import textwrap
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from scan_helpers import REPOS, run

HAS_GIT = shutil.which("git") is not None
HAS_KUBECTL = shutil.which("kubectl") is not None
needs_git = pytest.mark.skipif(not HAS_GIT, reason="git not installed")
needs_kubectl = pytest.mark.skipif(not HAS_KUBECTL, reason="kubectl not installed")


def git(root: Path, *args: str, env: dict[str, str] | None = None) -> str:
    ident = [
        "-c",
        "user.name=Night Shift",
        "-c",
        "user.email=night@fletcherlabs.net",
        "-c",
        "commit.gpgsign=false",
    ]
    return subprocess.run(
        ["git", "-C", str(root), *ident, *args], check=True, capture_output=True, text=True, env=env
    ).stdout


def hostile_repo(tmp_path: Path) -> tuple[Path, Path]:
    """The hostile fixture as a real git repository whose config names a program at every hook point.
    Returns (repo, marker): the program creates ``marker``."""
    repo = tmp_path / "repo"
    shutil.copytree(REPOS / "hostile", repo)
    marker = tmp_path / "pwned"
    (repo / ".gitattributes").write_text("*.yaml diff=evil filter=evil\n*.sh diff=evil\n")
    (repo / "scripts").mkdir()
    (repo / "scripts/join.sh").write_text("#!/bin/sh\necho joining\n")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "hostile pull request")
    (repo / "scripts/join.sh").write_text("#!/bin/sh\necho joining the cluster\n")
    git(repo, "commit", "-q", "-am", "second commit so log -p has a diff to show")
    touch = f"touch {marker}"
    hooks = repo / ".git" / "hooks"
    for hook in ("post-checkout", "post-index-change", "pre-auto-gc", "reference-transaction"):
        (hooks / hook).write_text(f"#!/bin/sh\n{touch}\n")
        (hooks / hook).chmod(0o755)
    with (repo / ".git" / "config").open("a") as config:
        config.write(
            textwrap.dedent(f"""\
            [core]
                fsmonitor = "{touch}; false"
                pager = "{touch}; cat"
            [diff "evil"]
                textconv = "{touch}; cat"
                command = "{touch}"
            [filter "evil"]
                clean = "{touch}; cat"
                smudge = "{touch}; cat"
                process = "{touch}"
            [diff]
                external = "{touch}"
            [log]
                showSignature = true
            [gpg]
                program = "{touch}"
            """)
        )
    return repo, marker


@needs_git
def test_repository_git_config_runs_nothing(tmp_path: Path) -> None:
    repo, marker = hostile_repo(tmp_path)
    # The attack is real: plain git runs the repository's fsmonitor and textconv.
    git(repo, "ls-files", "--others", "--exclude-standard")
    assert marker.exists()
    marker.unlink()
    git(repo, "log", "-p", "-1")
    assert marker.exists()
    marker.unlink()

    report = run(repo, history=True)
    assert repo.joinpath(".git").is_dir() and report.repo.git
    assert not marker.exists(), "the scan ran a program named by the repository's git config"
    assert "apps/bombs/laughs.yaml" in report.repo.files
    assert not [e for e in report.errors if e.file == "(git history)"]


class _Recorder(http.server.BaseHTTPRequestHandler):
    requests: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        type(self).requests.append(self.path)
        body = b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fetched\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[tuple[str, list[str]]]:
    _Recorder.requests = []
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", _Recorder.requests
    finally:
        httpd.shutdown()
        httpd.server_close()


REMOTE_FIELDS = {
    "resources": "  - {url}/base.yaml\n  - local.yaml\n",
    "components": "  - {url}/component\n",
    "configurations": "  - {url}/configurations.yaml\n",
    "transformers": "  - {url}/transformers.yaml\n",
    "generators": "  - {url}/generators.yaml\n",
    "patches": "  - path: {url}/patch.yaml\n",
}


@needs_kubectl
def test_kustomize_fetches_nothing(tmp_path: Path, server: tuple[str, list[str]]) -> None:
    url, requests = server
    with urllib.request.urlopen(f"{url}/probe", timeout=10) as response:  # the server answers
        assert response.status == 200
    assert requests == ["/probe"]
    requests.clear()
    repo, _marker = hostile_repo(tmp_path)
    for field, entry in REMOTE_FIELDS.items():
        directory = repo / "apps" / f"remote-{field}"
        directory.mkdir()
        (directory / "local.yaml").write_text((repo / "apps/remote/local.yaml").read_text())
        resources = "" if field == "resources" else "resources:\n  - local.yaml\n"
        (directory / "kustomization.yaml").write_text(
            f"apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n{resources}{field}:\n"
            + entry.format(url=url)
        )
        with (repo / "clusters/k3s-home/apps.yaml").open("a") as ks:
            ks.write(
                f"---\napiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n"
                f"  name: remote-{field}\n  namespace: flux-system\nspec:\n  interval: 10m\n"
                f"  path: ./apps/remote-{field}\n  prune: true\n  sourceRef:\n    kind: GitRepository\n"
                f"    name: flux-system\n"
            )
    report = run(repo, render=True, cache_dir=tmp_path / "cache")
    assert requests == [], f"the scan fetched {requests}"
    not_rendered = {e.file for e in report.errors if "not rendered: remote" in e.message}
    assert not_rendered == {"./apps/remote", *(f"./apps/remote-{f}" for f in REMOTE_FIELDS)}
    assert "kustomize-build-failed" not in {f.check for f in report.findings}


@needs_kubectl
def test_kustomize_reads_nothing_outside_the_repository(tmp_path: Path) -> None:
    repo, _marker = hostile_repo(tmp_path)
    outside = tmp_path / "outside.txt"
    outside.write_text("OUTSIDE-THE-REPO-7f3a9c\n")
    (tmp_path / "repo-sibling").mkdir()
    link_dir = repo / "apps" / "symlinked"
    link_dir.mkdir()
    (link_dir / "token.txt").symlink_to(outside)
    (link_dir / "kustomization.yaml").write_text(
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: default\n"
        "secretGenerator:\n  - name: linked\n    files:\n      - token.txt\n"
    )
    fine = repo / "apps" / "fine"
    fine.mkdir()
    (fine / "kustomization.yaml").write_text(
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: default\n"
        "secretGenerator:\n  - name: literal\n    literals:\n      - password=Lq9vX2mR7tK4wZ8pN3cJ\n"
    )
    with (repo / "clusters/k3s-home/apps.yaml").open("a") as ks:
        for name in ("symlinked", "fine"):
            ks.write(
                f"---\napiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n"
                f"  name: {name}\n  namespace: flux-system\nspec:\n  interval: 10m\n  path: ./apps/{name}\n"
                f"  prune: true\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n"
            )
    cache = tmp_path / "cache"
    report = run(repo, render=True, cache_dir=cache)

    text = " ".join(f.message for f in report.findings if f.check == "kustomize-resource-missing")
    assert "/etc/hostname" in text and "absolute path" in text
    assert "../../../outside.txt" in text and "outside the repository" in text
    assert "token.txt" in text and "symlink" in text
    # Nothing from outside reached the cache, the rendered objects or the report.
    cached = "".join(p.read_text() for p in cache.glob("*.json"))
    everything = (
        cached
        + json.dumps([r.objects for r in report.graph.kustomizations[0].renders])
        + str(report.findings)
    )
    assert "OUTSIDE-THE-REPO" not in everything
    host = Path("/etc/hostname").read_text().strip() if Path("/etc/hostname").is_file() else ""
    assert len(host) < 8 or host not in cached
    # The legitimate generator rendered, and its Secret value is not kept anywhere.
    fine_renders = [r for ks in report.graph.kustomizations for r in ks.renders if r.directory == "apps/fine"]
    assert fine_renders and fine_renders[0].error is None
    secret = next(o for o in fine_renders[0].objects if o["kind"] == "Secret")
    assert secret["data"]["password"].startswith("homelabctl-redacted:")
    assert cached and "Lq9vX2mR7tK4wZ8pN3cJ" not in cached and "THE5dlgyb" not in cached
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    assert {stat.S_IMODE(p.stat().st_mode) for p in cache.iterdir()} == {0o600}


def test_a_world_readable_cache_directory_is_made_private(tmp_path: Path) -> None:
    from homelabctl.scan.kustomize import private_dir

    cache = tmp_path / "cache"
    cache.mkdir(mode=0o777)
    cache.chmod(0o777)
    assert private_dir(cache)
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700


BOMB_SCAN = """
import json, resource, sys
resource.setrlimit(resource.RLIMIT_AS, (1024 * 1024 * 1024, 1024 * 1024 * 1024))
from pathlib import Path
from typing import ClassVar
from homelabctl.scan.config import RepoConfig
from homelabctl.scan.engine import scan
from homelabctl.scan.registry import ScanOptions
from homelabctl.scan.render import to_json
report = scan(Path(sys.argv[1]), ScanOptions(render=False), config=RepoConfig())
print(json.dumps(to_json(report)))
"""


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS semantics")
def test_alias_bombs_finish_in_bounded_memory(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(REPOS / "hostile", repo)
    # A 1 GB address-space limit: the 400-byte bomb expanded is billions of nodes.
    out = subprocess.run(
        [sys.executable, "-c", BOMB_SCAN, str(repo)], capture_output=True, text=True, timeout=300, check=False
    )
    assert out.returncode == 0, out.stderr[-2000:]
    data = json.loads(out.stdout)
    found = {(f["file"], f["check"]) for f in data["findings"] if f["check"] == "yaml-over-limits"}
    assert found == {
        ("apps/bombs/laughs.yaml", "yaml-over-limits"),
        ("apps/bombs/loop.yaml", "yaml-over-limits"),
    }
    laughs = next(f for f in data["findings"] if f["file"] == "apps/bombs/laughs.yaml")
    assert "excessive aliasing" in laughs["message"]
    # Anchors used normally are read as usual.
    assert "anchors-used-normally" in json.dumps(data["objects"])


def test_total_read_limit_stops_reading(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(REPOS / "hostile", repo)
    report = run(repo, max_total_bytes=2000)
    assert any("total read limit" in e.message for e in report.errors)
    assert sum(f.size for f in report.repo.files.values()) <= 2000


@needs_kubectl
def test_exec_plugins_in_a_kustomization_run_nothing(tmp_path: Path) -> None:
    repo, marker = hostile_repo(tmp_path)
    plugin = repo / "apps" / "plugin"
    plugin.mkdir()
    (plugin / "kustomization.yaml").write_text("resources:\n  - local.yaml\ntransformers:\n  - fn.yaml\n")
    (plugin / "local.yaml").write_text((repo / "apps/remote/local.yaml").read_text())
    (plugin / "fn.yaml").write_text(
        "apiVersion: example.com/v1\nkind: Pwn\nmetadata:\n  name: pwn\n  annotations:\n"
        "    config.kubernetes.io/function: |\n      exec:\n        path: ./run.sh\n"
    )
    (plugin / "run.sh").write_text(f"#!/bin/sh\ntouch {marker}\ncat\n")
    (plugin / "run.sh").chmod(0o755)
    with (repo / "clusters/k3s-home/apps.yaml").open("a") as ks:
        ks.write(
            "---\napiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: plugin\n"
            "  namespace: flux-system\nspec:\n  interval: 10m\n  path: ./apps/plugin\n  prune: true\n"
            "  sourceRef:\n    kind: GitRepository\n    name: flux-system\n"
        )
    report = run(repo, render=True, cache_dir=tmp_path / "cache")
    assert not marker.exists()
    [failed] = [f for f in report.findings if f.check == "kustomize-build-failed"]
    assert "plugin" in failed.message and str(tmp_path) not in failed.message


def test_an_alias_bomb_in_the_config_file_is_a_config_error(tmp_path: Path) -> None:
    from homelabctl.errors import ConfigError
    from homelabctl.scan.config import load_config

    repo = tmp_path / "repo"
    repo.mkdir()
    bomb = (REPOS / "hostile/apps/bombs/laughs.yaml").read_text()
    (repo / ".homelabctl.yaml").write_text(bomb.replace("i: &i", "scan: &i"))
    with pytest.raises(ConfigError, match="excessive aliasing"):
        load_config(repo)
