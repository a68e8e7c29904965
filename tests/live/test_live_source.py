"""LiveSource against `snapshot serve` over real HTTP: same findings as the snapshot path, RBAC, faults."""

from __future__ import annotations

import itertools
import socket
import time
from pathlib import Path

import pytest

from homelabctl import kinds
from homelabctl.engine import CheckRun, required_kinds, run_checks, select_checks
from homelabctl.errors import ApiUnreachableError, InputError, SourceError
from homelabctl.live.server import Fault
from homelabctl.live.source import LiveSource
from homelabctl.sources.base import ClusterState
from homelabctl.sources.snapshot import SnapshotSource

from .conftest import DATA, Served, ServeFn

KINDS = required_kinds(select_checks())


def finding_keys(run: CheckRun) -> set[tuple[str, str, str]]:
    return {(f.check, str(f.object), f.message) for f in run.findings}


def status_of(run: CheckRun, check_id: str) -> tuple[str, str]:
    result = next(r for r in run.results if r.spec.id == check_id)
    return result.status, result.reason


def test_live_path_finds_exactly_what_the_snapshot_path_finds(served: Served) -> None:
    source = LiveSource(kubeconfig=served.kubeconfig, request_timeout=5, deadline=30)
    live = source.load(KINDS)
    snapshot = SnapshotSource([DATA]).load(KINDS)
    assert live.source.type == "live"
    assert source.info.name == f"homelabctl-snapshot ({served.url})"
    assert live.server_version == "v1.32.5+k3s1"
    assert live.captured_at == snapshot.captured_at  # the server's clock (Date header) is the snapshot's time
    assert not live.errors
    live_run, snapshot_run = run_checks(live), run_checks(snapshot)
    assert finding_keys(live_run)  # the cluster has problems: equality of two empty sets would prove nothing
    assert finding_keys(live_run) == finding_keys(snapshot_run)
    assert {(r.spec.id, r.status) for r in live_run.results} == {
        (r.spec.id, r.status) for r in snapshot_run.results
    }


def test_live_source_lists_only_what_was_asked_and_marks_the_rest(served: Served) -> None:
    state = LiveSource(kubeconfig=served.kubeconfig).load(
        [kinds.NODE, kinds.POD, kinds.HELM_RELEASE, kinds.BACKUP_STORAGE_LOCATION, kinds.RESOURCE_QUOTA]
    )
    assert state.index.kinds == [kinds.HELM_RELEASE, kinds.NODE, kinds.POD]
    assert len(state.index.all(kinds.POD)) == 17
    assert state.availability(kinds.RESOURCE_QUOTA).readable  # listed, and there are none
    velero = state.availability(kinds.BACKUP_STORAGE_LOCATION)
    assert (velero.state, velero.reason) == (
        "not_installed",
        "backupstoragelocations.velero.io not installed (no CRD)",
    )
    # items of built-in lists get their kind and apiVersion back; CRs keep their own version
    pod = state.index.all(kinds.POD)[0]
    assert (pod.raw["kind"], pod.raw["apiVersion"]) == ("Pod", "v1")
    versions = sorted(r.api_version for r in state.index.all(kinds.HELM_RELEASE))
    assert versions == [
        "helm.toolkit.fluxcd.io/v2",
        "helm.toolkit.fluxcd.io/v2",
        "helm.toolkit.fluxcd.io/v2beta1",
    ]


def test_objects_are_redacted_on_the_live_path_too(served: Served) -> None:
    state = LiveSource(kubeconfig=served.kubeconfig).load([kinds.SECRET, kinds.CONFIGMAP])
    secret = state.index.get(kinds.SECRET, "auth", "oauth2-proxy")
    assert secret is not None and secret.raw["data"]["cookie-secret"] == "homelabctl-redacted:len=20;o2p=20"
    config = state.index.get(kinds.CONFIGMAP, "infrastructure", "bootstrapper-config")
    assert config is not None
    assert config.raw["data"]["LABEL_STUDIO_API_TOKEN"].startswith("homelabctl-redacted:")
    assert config.raw["data"]["LOG_LEVEL"] == "debug"


def test_no_unredacted_text_is_remembered_after_a_live_load(served: Served) -> None:
    """``watch`` loads again and again in one process: the redaction caches, whose keys are text as it was
    before redaction, are emptied when each load ends."""
    from homelabctl import redact

    LiveSource(kubeconfig=served.kubeconfig).load([kinds.CONFIGMAP, kinds.POD, kinds.DEPLOYMENT])
    assert redact._redact_string.cache_info().currsize == 0
    assert redact._redacted_annotation.cache_info().currsize == 0


def test_pagination_follows_continue_tokens(served: Served, monkeypatch: pytest.MonkeyPatch) -> None:
    import homelabctl.live.kubeclient as kubeclient

    monkeypatch.setattr(kubeclient, "PAGE_SIZE", 3)
    calls: list[str] = []
    original = kubeclient.Client.get

    def counting(self: kubeclient.Client, path: str, query: object = (), **kwargs: object) -> object:
        calls.append(path)
        return original(self, path, query, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(kubeclient.Client, "get", counting)
    state = LiveSource(kubeconfig=served.kubeconfig).load([kinds.POD])
    assert len(state.index.all(kinds.POD)) == 17
    assert calls.count("/api/v1/pods") == 6  # 17 pods, 3 per page


def test_a_forbidden_kind_leaves_its_checks_not_evaluated_and_the_run_goes_on(
    serve: ServeFn, data_state: ClusterState
) -> None:
    with serve(data_state, forbid=["Pod"]) as served:
        state = LiveSource(kubeconfig=served.kubeconfig).load(KINDS)
    assert state.availability(kinds.POD).state == "forbidden"
    assert state.availability(kinds.POD).reason == "forbidden: cannot list pods"
    run = run_checks(state)
    status, reason = status_of(run, "pod-crashloop")
    assert status == "not_evaluated"
    assert "forbidden: cannot list pods" in reason
    assert status_of(run, "node-not-ready")[0] == "failed"  # Nodes were readable: that check still ran
    assert not state.errors  # RBAC is a normal outcome, not a load error


def test_a_kind_missing_from_a_served_snapshot_is_not_evaluated_on_both_paths(
    tmp_path: Path, serve: ServeFn
) -> None:
    snap = tmp_path / "snap"
    snap.mkdir()
    for rel in ("core/nodes.json", "core/pods.json", "core/events.json"):
        (snap / rel.replace("/", "-")).write_bytes((DATA / rel).read_bytes())
    snapshot = SnapshotSource([snap]).load(KINDS)
    with serve(snapshot) as served:
        live = LiveSource(kubeconfig=served.kubeconfig).load(KINDS)
    assert live.availability(kinds.DEPLOYMENT).state == "absent"
    live_run, snapshot_run = run_checks(live), run_checks(snapshot)
    assert finding_keys(live_run) == finding_keys(snapshot_run)
    assert status_of(live_run, "workload-replicas-unavailable")[0] == "not_evaluated"
    assert {r.spec.id for r in live_run.results if r.status == "not_evaluated"} == {
        r.spec.id for r in snapshot_run.results if r.status == "not_evaluated"
    }


# -- faults ------------------------------------------------------------------------------------------------
def test_a_stalled_api_server_fails_fast_with_the_server_named(
    serve: ServeFn, data_state: ClusterState
) -> None:
    with serve(data_state, faults=[Fault("stall")]) as served:
        source = LiveSource(kubeconfig=served.kubeconfig, request_timeout=0.5, deadline=5)
        started = time.monotonic()
        with pytest.raises(ApiUnreachableError) as caught:
            source.load(KINDS)
        elapsed = time.monotonic() - started
    assert (
        str(caught.value)
        == f"cannot reach the Kubernetes API at {served.url}: no answer before the request timeout"
    )
    assert caught.value.exit_code == 2
    assert elapsed < 10  # one retry of a 0.5 s read timeout, not a hang (headroom for a loaded CI machine)


def test_dropped_connections_are_reported_not_hung_on(serve: ServeFn, data_state: ClusterState) -> None:
    with serve(data_state, faults=[Fault("drop")]) as served, pytest.raises(ApiUnreachableError) as caught:
        LiveSource(kubeconfig=served.kubeconfig, request_timeout=2, deadline=5).load(KINDS)
    # a drop reads as a close or a reset, depending on whether our request was still unread
    assert str(caught.value) in (
        f"cannot reach the Kubernetes API at {served.url}: the server closed the connection without answering",
        f"cannot reach the Kubernetes API at {served.url}: connection reset by the server",
    )


def test_one_stalled_kind_fails_alone_within_the_deadline(serve: ServeFn, data_state: ClusterState) -> None:
    with serve(data_state, faults=[Fault("stall", kinds.POD)]) as served:
        started = time.monotonic()
        state = LiveSource(kubeconfig=served.kubeconfig, request_timeout=0.5, deadline=10).load(KINDS)
        elapsed = time.monotonic() - started
    assert elapsed < 12  # bounded, not a hang (headroom for a loaded CI machine)
    pods = state.availability(kinds.POD)
    assert pods.state == "error"
    assert pods.reason == "cannot list pods: no answer before the request timeout"
    assert [str(e) for e in state.errors] == [f"{served_url(state)}/api/v1/pods: {pods.reason}"]
    assert state.availability(kinds.NODE).readable
    run = run_checks(state)
    assert status_of(run, "pod-crashloop")[0] == "not_evaluated"
    assert status_of(run, "node-not-ready")[0] == "failed"


def served_url(state: ClusterState) -> str:
    return state.source.name.split("(", 1)[1].rstrip(")")


def test_the_deadline_bounds_the_whole_read(serve: ServeFn, data_state: ClusterState) -> None:
    with serve(data_state, faults=[Fault("stall", kinds.POD), Fault("stall", kinds.EVENT)]) as served:
        started = time.monotonic()
        state = LiveSource(kubeconfig=served.kubeconfig, request_timeout=30, deadline=1.5).load(KINDS)
        elapsed = time.monotonic() - started
    assert elapsed < 12  # bounded, not a hang (headroom for a loaded CI machine)
    assert state.availability(kinds.POD).state == "error"
    assert (
        "deadline" in state.availability(kinds.POD).reason
        or "no answer" in state.availability(kinds.POD).reason
    )
    assert state.availability(kinds.NODE).readable


def test_connection_refused(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    from homelabctl.live.server import kubeconfig_for

    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text(kubeconfig_for(f"http://127.0.0.1:{port}"))
    with pytest.raises(
        ApiUnreachableError,
        match=f"cannot reach the Kubernetes API at http://127.0.0.1:{port}: connection refused",
    ):
        LiveSource(kubeconfig=kubeconfig, request_timeout=2).load(KINDS)


# -- configuration -------------------------------------------------------------------------------------------
def test_kubeconfig_context_selection(tmp_path: Path, served: Served) -> None:
    text = served.kubeconfig.read_text()
    two = text.replace("current-context: homelabctl-snapshot", "current-context: elsewhere")
    two = two.replace(
        "contexts:\n",
        "contexts:\n- name: elsewhere\n  context:\n    cluster: homelabctl-snapshot\n"
        "    user: snapshot-viewer\n",
        1,
    )
    kubeconfig = tmp_path / "two-contexts"
    kubeconfig.write_text(two)
    assert LiveSource(kubeconfig=kubeconfig).info.name.startswith("elsewhere (")
    assert LiveSource(kubeconfig=kubeconfig, context="homelabctl-snapshot").info.name.startswith(
        "homelabctl-snapshot ("
    )
    with pytest.raises(
        InputError,
        match=r"context 'prod' not found in .*two-contexts \(available: elsewhere, homelabctl-snapshot\)",
    ):
        LiveSource(kubeconfig=kubeconfig, context="prod")


def test_kubeconfig_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, served: Served
) -> None:
    monkeypatch.setenv("KUBECONFIG", f"{tmp_path / 'missing'}:{served.kubeconfig}")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert LiveSource().info.name == f"homelabctl-snapshot ({served.url})"


def test_missing_kubeconfig_errors(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="kubeconfig not found: /nope"):
        LiveSource(kubeconfig=Path("/nope"))
    monkeypatch.delenv("KUBECONFIG", raising=False)
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    with pytest.raises(
        SourceError, match=r"no kubeconfig found \(looked at .*\.kube/config\) and not running in a pod"
    ):
        LiveSource()


def test_in_cluster_config_is_used_in_a_pod_without_kubeconfig(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, served: Served
) -> None:
    import kubernetes.config.incluster_config as incluster

    token, cert = tmp_path / "token", tmp_path / "ca.crt"
    token.write_text("eyJhbGciOiJSUzI1NiJ9.fake.token")
    cert.write_text("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
    monkeypatch.setattr(incluster, "SERVICE_TOKEN_FILENAME", str(token))
    monkeypatch.setattr(incluster, "SERVICE_CERT_FILENAME", str(cert))
    monkeypatch.delenv("KUBECONFIG", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    port = served.url.rsplit(":", 1)[1]
    monkeypatch.setenv("KUBERNETES_SERVICE_HOST", "127.0.0.1")
    monkeypatch.setenv("KUBERNETES_SERVICE_PORT", port)
    source = LiveSource(request_timeout=2)
    assert source.info.name == f"in-cluster (https://127.0.0.1:{port})"
    # the served snapshot speaks plain HTTP: the in-cluster client insists on TLS and says so
    with pytest.raises(
        ApiUnreachableError, match=f"cannot reach the Kubernetes API at https://127.0.0.1:{port}: TLS"
    ):
        source.load([kinds.NODE])


def discovery_requests(served: Served) -> list[str]:
    """Legacy per-group-version discovery GETs (``/apis/<group>/<version>``, ``/api/v1``) the server answered."""
    import re

    return [line for line in served.requests if re.search(r'"GET (/apis/[^/?]+/[^/? ]+|/api/v1) HTTP', line)]


def test_aggregated_discovery_saves_the_per_group_requests(served: Served) -> None:
    LiveSource(kubeconfig=served.kubeconfig).load(KINDS)
    assert discovery_requests(served) == []
    assert sum('"GET /apis HTTP' in line for line in served.requests) == 1


def test_legacy_discovery_still_works(served: Served, monkeypatch: pytest.MonkeyPatch) -> None:
    import homelabctl.live.server as server

    monkeypatch.setattr(server, "_wants_aggregated", lambda accept: False)  # an API server older than 1.30
    live = LiveSource(kubeconfig=served.kubeconfig).load(KINDS)
    assert discovery_requests(served)  # /api/v1, /apis/apps/v1, ...
    assert finding_keys(run_checks(live)) == finding_keys(run_checks(SnapshotSource([DATA]).load(KINDS)))
    assert live.availability(kinds.BACKUP_STORAGE_LOCATION).state == "not_installed"


def test_credential_plugins_never_run_concurrently(served: Served, tmp_path: Path) -> None:
    """Requests start in parallel; an exec plugin (kubelogin, aws eks get-token) must still run one at a time."""
    import sys

    log = tmp_path / "runs.log"
    plugin = tmp_path / "plugin.py"
    plugin.write_text(
        "import json, time\n"
        f"log = open({str(log)!r}, 'a')\n"
        "log.write(f'{time.monotonic()} '); log.flush(); time.sleep(0.05); log.write(f'{time.monotonic()}\\n')\n"
        "print(json.dumps({'apiVersion': 'client.authentication.k8s.io/v1beta1', 'kind': 'ExecCredential',\n"
        "                  'status': {'token': 'short-lived', 'expirationTimestamp': '2000-01-01T00:00:00Z'}}))\n"
    )
    text = served.kubeconfig.read_text().replace(
        "  user: {}\n",
        "  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n"
        f"      command: {sys.executable}\n      args: [{str(plugin)!r}]\n      interactiveMode: Never\n",
    )
    kubeconfig = tmp_path / "exec-kubeconfig"
    kubeconfig.write_text(text)
    state = LiveSource(kubeconfig=kubeconfig).load([kinds.NODE, kinds.POD, kinds.EVENT])
    assert len(state.index.all(kinds.NODE)) == 4
    runs = sorted(tuple(map(float, line.split())) for line in log.read_text().splitlines())
    assert len(runs) >= 4  # the token is always expired: every request refreshed it
    for (_, previous_end), (start, _) in itertools.pairwise(runs):
        assert start >= previous_end, "two credential plugin runs overlapped"


def test_the_deadline_is_a_deadline_with_stalled_kinds(serve: ServeFn, data_state: ClusterState) -> None:
    """Stalled lists end at the deadline (not a retry later, not when the request timeout runs out)."""
    deadline = 3.0
    with serve(data_state, faults=[Fault("stall", kinds.POD), Fault("stall", kinds.DEPLOYMENT)]) as served:
        started = time.monotonic()
        state = LiveSource(kubeconfig=served.kubeconfig, request_timeout=10, deadline=deadline).load(KINDS)
        elapsed = time.monotonic() - started
    assert elapsed <= deadline * 1.1, f"{elapsed:.2f}s for a {deadline:g}s deadline"
    assert state.availability(kinds.POD).state == "error"
    assert state.availability(kinds.DEPLOYMENT).state == "error"
    assert state.availability(kinds.NODE).readable


def test_with_deployments_forbidden_replicas_unavailable_is_partial_not_passed(
    serve: ServeFn, data_state: ClusterState
) -> None:
    from homelabctl.analysis import analyze
    from homelabctl.report.build import validate_report

    with serve(data_state, forbid=["deployments"]) as served:
        state = LiveSource(kubeconfig=served.kubeconfig).load(KINDS)
    analysis = analyze(state)
    result = next(r for r in analysis.run.results if r.spec.id == "workload-replicas-unavailable")
    assert result.status != "passed"
    assert result.missing == (kinds.DEPLOYMENT,)
    assert "partially evaluated: not read: forbidden: cannot list deployments.apps" in result.reason
    report = analysis.report
    validate_report(report)
    partial = {p["check"]: p for p in report["partially_evaluated"]}
    assert partial["workload-replicas-unavailable"]["missing"] == [kinds.DEPLOYMENT]
    assert "workload-replicas-unavailable" not in report["passed"]
    # the same check with everything readable is a verdict
    full = analyze(SnapshotSource([DATA]).load(KINDS))
    assert not [r for r in full.run.results if r.spec.id == "workload-replicas-unavailable" and r.missing]


def test_a_stalled_kind_makes_its_any_of_checks_partial(serve: ServeFn, data_state: ClusterState) -> None:
    with serve(data_state, faults=[Fault("stall", kinds.STATEFULSET)]) as served:
        state = LiveSource(kubeconfig=served.kubeconfig, request_timeout=0.5, deadline=10).load(KINDS)
    result = next(r for r in run_checks(state).results if r.spec.id == "workload-replicas-unavailable")
    assert result.status in ("failed", "partially_evaluated") and result.missing == (kinds.STATEFULSET,)
