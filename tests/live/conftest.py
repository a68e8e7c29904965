"""Fixtures for the live path: a snapshot served over real HTTP on a free port, a kubeconfig for it, kubectl."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from homelabctl.live.server import Fault, ServerThread, SnapshotApi, kubeconfig_for
from homelabctl.sources.base import ClusterState
from homelabctl.sources.snapshot import SnapshotSource

DATA = Path(__file__).parent / "data"
KUBECTL = os.environ.get("HOMELABCTL_TEST_KUBECTL", "/usr/bin/kubectl")


@dataclass
class Served:
    url: str
    kubeconfig: Path
    api: SnapshotApi
    requests: list[str]
    """Request lines the server answered (``GET /api/v1/pods?limit=500 HTTP/1.1``)."""


ServeFn = Callable[..., AbstractContextManager[Served]]


@pytest.fixture(scope="session")
def data_state() -> ClusterState:
    return SnapshotSource([DATA]).load()


@pytest.fixture
def serve(tmp_path: Path) -> ServeFn:
    """``with serve(state, forbid=[...], faults=[...]) as served:`` — a server thread and its kubeconfig."""

    @contextmanager
    def start(
        state: ClusterState, *, forbid: Sequence[str] = (), faults: Sequence[Fault] = ()
    ) -> Iterator[Served]:
        api = SnapshotApi(state, forbid=forbid)
        requests: list[str] = []
        with ServerThread(api, faults=faults, log=requests.append) as server:
            kubeconfig = tmp_path / f"kubeconfig-{server.url.rsplit(':', 1)[1]}"
            kubeconfig.write_text(kubeconfig_for(server.url), encoding="utf-8")
            yield Served(server.url, kubeconfig, api, requests)

    return start


@pytest.fixture
def served(serve: ServeFn, data_state: ClusterState) -> Iterator[Served]:
    with serve(data_state) as s:
        yield s


@pytest.fixture
def kubectl(tmp_path: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run the real kubectl with a throwaway HOME and cache dir; skip when it is not installed."""
    binary = KUBECTL if Path(KUBECTL).exists() else shutil.which("kubectl")
    if not binary:
        pytest.skip("kubectl is not installed (set HOMELABCTL_TEST_KUBECTL to its path)")
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)

    def run(kubeconfig: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        env = {
            "HOME": str(home),
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "KUBECONFIG": str(kubeconfig),
        }
        result = subprocess.run(
            [
                binary,
                "--kubeconfig",
                str(kubeconfig),
                "--cache-dir",
                str(tmp_path / "cache"),
                "--request-timeout",
                "20s",
                *args,
            ],
            capture_output=True,
            text=True,
            env=env,
            timeout=90,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)} failed ({result.returncode}):\n{result.stderr}")
        return result

    return run
