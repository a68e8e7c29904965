"""`snapshot serve` over real HTTP: discovery, list/get, selectors, paging, Table, watch, Status errors."""

from __future__ import annotations

import base64
import json
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from homelabctl.live.server import DEFAULT_SERVER_VERSION, SnapshotApi
from homelabctl.sources.snapshot import SnapshotSource

from .conftest import DATA, Served, ServeFn

TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json"


def fetch(
    url: str, *, accept: str = "application/json", method: str = "GET"
) -> tuple[int, dict[str, str], Any]:
    request = urllib.request.Request(url, method=method, headers={"Accept": accept})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
            return response.status, dict(response.headers), json.loads(body) if body.strip() else None
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read())


def get(served: Served, path: str, **kwargs: Any) -> Any:
    status, _, body = fetch(served.url + path, **kwargs)
    assert status == 200, body
    return body


# -- discovery ---------------------------------------------------------------------------------------------
def test_version_reports_the_captured_server_version_and_the_snapshot_time(served: Served) -> None:
    status, headers, body = fetch(served.url + "/version")
    assert status == 200
    assert body["gitVersion"] == "v1.32.5+k3s1"
    assert (body["major"], body["minor"]) == ("1", "32")
    assert headers["Date"] == "Mon, 16 Jun 2025 03:00:00 GMT"


def test_core_discovery_names_resources_like_the_api_server(served: Served) -> None:
    assert get(served, "/api")["versions"] == ["v1"]
    resources = {r["name"]: r for r in get(served, "/api/v1")["resources"]}
    assert resources["pods"] == {
        "name": "pods",
        "singularName": "pod",
        "namespaced": True,
        "kind": "Pod",
        "verbs": ["get", "list", "watch"],
        "shortNames": ["po"],
        "categories": ["all"],
    }
    assert resources["nodes"]["namespaced"] is False
    assert resources["nodes"]["shortNames"] == ["no"]
    assert resources["persistentvolumeclaims"]["shortNames"] == ["pvc"]
    assert "events" in resources and "secrets" in resources


def test_group_discovery_lists_served_groups_and_only_installed_crds(served: Served) -> None:
    groups = {g["name"]: g for g in get(served, "/apis")["groups"]}
    assert groups["apps"]["preferredVersion"] == {"groupVersion": "apps/v1", "version": "v1"}
    # the HelmRelease CRD in the snapshot serves three versions, v2 preferred
    assert [v["version"] for v in groups["helm.toolkit.fluxcd.io"]["versions"]] == [
        "v2",
        "v2beta2",
        "v2beta1",
    ]
    assert groups["helm.toolkit.fluxcd.io"]["preferredVersion"]["version"] == "v2"
    # captured as not installed: no group, no resource
    assert "velero.io" not in groups
    assert "monitoring.coreos.com" not in groups
    hr = get(served, "/apis/helm.toolkit.fluxcd.io/v2")["resources"]
    assert hr == [
        {
            "name": "helmreleases",
            "singularName": "helmrelease",
            "namespaced": True,
            "kind": "HelmRelease",
            "verbs": ["get", "list", "watch"],
            "shortNames": ["hr"],
        }
    ]
    crds = {r["name"]: r for r in get(served, "/apis/apiextensions.k8s.io/v1")["resources"]}
    assert crds["customresourcedefinitions"]["namespaced"] is False
    status, _, body = fetch(served.url + "/apis/velero.io/v1")
    assert status == 404 and body["reason"] == "NotFound"


# -- list and get ------------------------------------------------------------------------------------------
def test_list_items_of_builtin_kinds_carry_no_kind_but_custom_resources_do(served: Served) -> None:
    pods = get(served, "/api/v1/pods")
    assert pods["kind"] == "PodList" and pods["apiVersion"] == "v1"
    assert pods["metadata"]["resourceVersion"]
    assert all("kind" not in item for item in pods["items"])
    assert len(pods["items"]) == 17
    releases = get(served, "/apis/helm.toolkit.fluxcd.io/v2/helmreleases")
    versions = {item["metadata"]["name"]: item["apiVersion"] for item in releases["items"]}
    # objects keep the version they were captured with: the deprecated one stays visible
    assert versions == {
        "cert-manager": "helm.toolkit.fluxcd.io/v2beta1",
        "jellyfin": "helm.toolkit.fluxcd.io/v2",
        "velero": "helm.toolkit.fluxcd.io/v2",
    }


def test_namespaced_list_and_get(served: Served) -> None:
    media = get(served, "/api/v1/namespaces/media/pods")
    assert {p["metadata"]["name"] for p in media["items"]} == {
        "jellyfin-7f9d6c8b5-9wq4n",
        "radarr-6b8f4c7d9-hz8mk",
        "radarr-6b8f4c7d9-tq2wd",
        "sonarr-84c5d7f9b-hz8mk",
        "sonarr-84c5d7f9b-tq2wd",
    }
    assert get(served, "/api/v1/namespaces/nope/pods")["items"] == []
    pod = get(served, "/api/v1/namespaces/media/pods/jellyfin-7f9d6c8b5-9wq4n")
    assert (pod["kind"], pod["apiVersion"], pod["spec"]["nodeName"]) == ("Pod", "v1", "k3s2")
    node = get(served, "/api/v1/nodes/k3s1")
    assert node["metadata"]["name"] == "k3s1"
    assert get(served, "/api/v1/namespaces/media/pods/jellyfin-7f9d6c8b5-9wq4n/status")["kind"] == "Pod"
    deploy = get(served, "/apis/apps/v1/namespaces/infrastructure/deployments/project-bootstrapper")
    assert deploy["kind"] == "Deployment"


def test_secrets_are_served_redacted(served: Served) -> None:
    secret = get(served, "/api/v1/namespaces/auth/secrets/oauth2-proxy")
    # base64 on the wire, as every Secret value is: clients decode it and find the marker
    assert base64.b64decode(secret["data"]["cookie-secret"]) == b"homelabctl-redacted:len=20;o2p=20"
    assert "twenty-bytes" not in json.dumps(secret)


def test_label_selectors(served: Served) -> None:
    def names(query: str) -> set[str]:
        return {i["metadata"]["name"] for i in get(served, f"/api/v1/pods?labelSelector={query}")["items"]}

    assert names("app.kubernetes.io/name%3Djellyfin") == {"jellyfin-7f9d6c8b5-9wq4n"}
    assert names("app.kubernetes.io/name%20in%20(sonarr,radarr),pod-template-hash!%3D84c5d7f9b") == {
        "radarr-6b8f4c7d9-hz8mk",
        "radarr-6b8f4c7d9-tq2wd",
    }
    assert names("k8s-app%3Dcilium") == {"cilium-a8r2v", "cilium-c8r2v", "cilium-d8r2v", "cilium-m4xw2"}
    status, _, body = fetch(served.url + "/api/v1/pods?labelSelector=a%20in%20b")
    assert status == 400 and body["reason"] == "BadRequest"


def test_field_selectors_kubectl_describe_uses(served: Served) -> None:
    on_k3s1 = get(
        served,
        "/api/v1/pods?fieldSelector=spec.nodeName%3Dk3s1,status.phase!%3DSucceeded,status.phase!%3DFailed",
    )
    assert {p["metadata"]["name"] for p in on_k3s1["items"]} == {
        "cilium-m4xw2",
        "radarr-6b8f4c7d9-tq2wd",
        "sonarr-84c5d7f9b-tq2wd",
    }
    events = get(
        served,
        "/api/v1/events?fieldSelector=involvedObject.kind%3DNode,involvedObject.name%3Dk3s1,"
        "involvedObject.namespace%3D",
    )
    assert [e["reason"] for e in events["items"]] == ["NodeNotReady"]
    warnings = get(served, "/api/v1/namespaces/media/events?fieldSelector=type%3DWarning")
    assert {e["reason"] for e in warnings["items"]} == {"FailedAttachVolume"}
    named = get(served, "/api/v1/namespaces?fieldSelector=metadata.name%3Dmedia")
    assert [n["metadata"]["name"] for n in named["items"]] == ["media"]
    status, _, body = fetch(served.url + "/api/v1/pods?fieldSelector=spec.bogus%3D1")
    assert status == 400
    assert body["message"] == "field label not supported: spec.bogus"


def test_limit_and_continue_page_through_every_object_once(served: Served) -> None:
    seen: list[str] = []
    path = "/api/v1/pods?limit=5"
    pages = 0
    while True:
        body = get(served, path)
        pages += 1
        seen += [f"{i['metadata']['namespace']}/{i['metadata']['name']}" for i in body["items"]]
        token = body["metadata"].get("continue")
        if not token:
            break
        assert body["metadata"]["remainingItemCount"] == 17 - len(seen)
        path = f"/api/v1/pods?limit=5&continue={token}"
    assert pages == 4
    assert len(seen) == len(set(seen)) == 17
    assert seen == sorted(seen)
    status, _, error = fetch(served.url + "/api/v1/pods?limit=5&continue=garbage")
    assert status == 400 and error["reason"] == "BadRequest"


# -- Table -------------------------------------------------------------------------------------------------
def test_pod_table_has_the_api_server_columns_and_kubectl_status(served: Served) -> None:
    table = get(served, "/api/v1/namespaces/media/pods", accept=TABLE)
    assert (table["kind"], table["apiVersion"]) == ("Table", "meta.k8s.io/v1")
    columns = [(c["name"], c["priority"]) for c in table["columnDefinitions"]]
    assert columns == [
        ("Name", 0),
        ("Ready", 0),
        ("Status", 0),
        ("Restarts", 0),
        ("Age", 0),
        ("IP", 1),
        ("Node", 1),
        ("Nominated Node", 1),
        ("Readiness Gates", 1),
    ]
    rows = {r["cells"][0]: r for r in table["rows"]}
    assert rows["sonarr-84c5d7f9b-tq2wd"]["cells"][1:5] == ["0/1", "Terminating", "0", "2d"]
    assert rows["sonarr-84c5d7f9b-hz8mk"]["cells"][2] == "ContainerCreating"
    assert rows["jellyfin-7f9d6c8b5-9wq4n"]["cells"] == [
        "jellyfin-7f9d6c8b5-9wq4n",
        "1/1",
        "Running",
        "0",
        "2d",
        "10.42.2.31",
        "k3s2",
        "<none>",
        "<none>",
    ]
    meta = rows["jellyfin-7f9d6c8b5-9wq4n"]["object"]
    assert meta["kind"] == "PartialObjectMetadata" and meta["metadata"]["namespace"] == "media"
    crash = get(served, "/api/v1/namespaces/infrastructure/pods", accept=TABLE)
    by_name = {r["cells"][0]: r for r in crash["rows"]}
    assert by_name["project-bootstrapper-5c6d8b9f7-mv5xk"]["cells"][2:4] == [
        "CrashLoopBackOff",
        "1195 (5m ago)",
    ]
    done = by_name["pg-dump-29160960-8kq4z"]
    assert done["cells"][2] == "Completed"
    assert done["conditions"][0]["reason"] == "Succeeded"


def test_node_table_says_notready_for_an_unknown_ready_condition(served: Served) -> None:
    table = get(served, "/api/v1/nodes", accept=TABLE)
    assert [c["name"] for c in table["columnDefinitions"]] == [
        "Name",
        "Status",
        "Roles",
        "Age",
        "Version",
        "Internal-IP",
        "External-IP",
        "OS-Image",
        "Kernel-Version",
        "Container-Runtime",
    ]
    rows = {r["cells"][0]: r["cells"] for r in table["rows"]}
    assert rows["k3s1"][1] == "NotReady"
    assert rows["k3s-master1"][1:3] == ["Ready", "control-plane,master"]
    assert rows["k3s2"][2] == "<none>"
    assert rows["k3s3"][5:7] == ["192.168.10.13", "<none>"]


def test_tables_for_workloads_events_and_crds(served: Served) -> None:
    deploy = get(served, "/apis/apps/v1/namespaces/media/deployments", accept=TABLE)
    assert [c["name"] for c in deploy["columnDefinitions"] if c["priority"] == 0] == [
        "Name",
        "Ready",
        "Up-to-date",
        "Available",
        "Age",
    ]
    assert {r["cells"][0]: r["cells"][1:4] for r in deploy["rows"]}["sonarr"] == ["0/1", 1, 0]
    events = get(served, "/api/v1/namespaces/ai/events", accept=TABLE)
    assert [c["name"] for c in events["columnDefinitions"] if c["priority"] == 0] == [
        "Last Seen",
        "Type",
        "Reason",
        "Object",
        "Message",
    ]
    cells = events["rows"][0]["cells"]
    assert cells[:4] == ["3m", "Warning", "FailedScheduling", "pod/comfyui-55f7b9c4d-p7fq2"]
    assert cells[8] == 73
    releases = get(served, "/apis/helm.toolkit.fluxcd.io/v2/helmreleases", accept=TABLE)
    assert [c["name"] for c in releases["columnDefinitions"]] == ["Name", "Age", "Ready", "Status"]
    velero = {r["cells"][0]: r["cells"] for r in releases["rows"]}["velero"]
    assert velero[2] == "False" and "velero-b2-credentials" in velero[3]
    # no CRD object for certificates in the snapshot: cert-manager's own printer columns
    certs = get(served, "/apis/cert-manager.io/v1/certificates", accept=TABLE)
    assert [c["name"] for c in certs["columnDefinitions"]] == [
        "Name",
        "Ready",
        "Secret",
        "Issuer",
        "Status",
        "Age",
    ]
    assert certs["rows"][0]["cells"][:3] == [
        "wildcard-fletcherlabs-net",
        "False",
        "wildcard-fletcherlabs-net-tls",
    ]
    classes = get(served, "/apis/storage.k8s.io/v1/storageclasses", accept=TABLE)
    assert sorted(r["cells"][0] for r in classes["rows"]) == ["local-path", "longhorn (default)"]


def test_table_include_object_variants(served: Served) -> None:
    full = get(served, "/api/v1/namespaces/media/pods?includeObject=Object", accept=TABLE)
    assert full["rows"][0]["object"]["kind"] == "Pod"
    bare = get(served, "/api/v1/namespaces/media/pods?includeObject=None", accept=TABLE)
    assert "object" not in bare["rows"][0]
    single = get(served, "/api/v1/nodes/k3s2", accept=TABLE)
    assert len(single["rows"]) == 1 and single["rows"][0]["cells"][0] == "k3s2"
    partial = get(
        served,
        "/api/v1/namespaces/media/pods",
        accept="application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1",
    )
    assert partial["kind"] == "PartialObjectMetadataList" and len(partial["items"]) == 5


# -- watch -------------------------------------------------------------------------------------------------
def test_watch_streams_current_objects_as_added_then_ends(served: Served) -> None:
    with urllib.request.urlopen(
        served.url + "/api/v1/namespaces/media/pods?watch=true", timeout=10
    ) as response:
        assert response.headers["Transfer-Encoding"] == "chunked"
        lines = [json.loads(line) for line in response.read().splitlines() if line.strip()]
    assert {e["type"] for e in lines} == {"ADDED"}
    assert len(lines) == 5 and lines[0]["object"]["kind"] == "Pod"
    with urllib.request.urlopen(
        served.url + "/api/v1/namespaces/media/pods?watch=1&resourceVersion=5", timeout=10
    ) as response:
        assert response.read() == b""
    started = time.monotonic()
    with urllib.request.urlopen(
        served.url + "/api/v1/namespaces/media/pods?watch=1&resourceVersion=5&timeoutSeconds=1", timeout=10
    ) as response:
        assert response.read() == b""
    assert 0.9 <= time.monotonic() - started < 5  # held open as long as asked, as the API server does


# -- errors ------------------------------------------------------------------------------------------------
def test_errors_are_status_objects_like_the_api_server(served: Served) -> None:
    status, _, body = fetch(served.url + "/api/v1/namespaces/media/pods/nope")
    assert status == 404
    assert body == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": 'pods "nope" not found',
        "reason": "NotFound",
        "details": {"name": "nope", "kind": "pods"},
        "code": 404,
    }
    status, _, body = fetch(served.url + "/apis/apps/v1/namespaces/media/deployments/nope")
    assert body["message"] == 'deployments.apps "nope" not found' and body["details"]["group"] == "apps"
    status, _, body = fetch(served.url + "/api/v1/namespaces/media/nodes")
    assert status == 404 and body["message"] == "the server could not find the requested resource"
    for path in ("/openapi/v2", "/openapi/v3", "/apis/velero.io/v1/backups", "/api/v2/pods"):
        status, _, body = fetch(served.url + path)
        assert (status, body["kind"], body["code"]) == (404, "Status", 404), path


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_writes_are_refused_with_405(served: Served, method: str) -> None:
    status, _, body = fetch(
        served.url + "/api/v1/namespaces/media/pods/jellyfin-7f9d6c8b5-9wq4n", method=method
    )
    assert status == 405
    assert body["reason"] == "MethodNotAllowed" and body["code"] == 405


def test_forbidden_kind_answers_403_with_the_rbac_message(serve: ServeFn, data_state: Any) -> None:
    with serve(data_state, forbid=["secrets"]) as served:
        status, _, body = fetch(served.url + "/api/v1/namespaces/auth/secrets")
        assert status == 403 and body["reason"] == "Forbidden"
        assert body["message"] == (
            'secrets is forbidden: User "snapshot-viewer" cannot list resource "secrets" '
            'in API group "" in the namespace "auth"'
        )
        status, _, body = fetch(served.url + "/api/v1/secrets")
        assert "at the cluster scope" in body["message"]
        assert fetch(served.url + "/api/v1/pods")[0] == 200


def test_kinds_a_snapshot_without_manifest_lacks_answer_404(tmp_path: Path, serve: ServeFn) -> None:
    (tmp_path / "snap").mkdir()
    for rel in ("core/nodes.json", "core/pods.json"):
        (tmp_path / "snap" / rel.replace("/", "-")).write_bytes((DATA / rel).read_bytes())
    state = SnapshotSource([tmp_path / "snap"]).load()
    with serve(state) as served:
        assert fetch(served.url + "/api/v1/pods")[0] == 200
        status, _, body = fetch(served.url + "/apis/apps/v1/deployments")
        assert (
            status == 404
            and body["message"] == "deployments.apps are not in this snapshot (they were not captured)"
        )
        # still discoverable: it is a built-in kind every API server has
        assert any(r["name"] == "deployments" for r in get(served, "/apis/apps/v1")["resources"])
        # CRD kinds with no objects and no CRD object are simply not installed
        assert "helm.toolkit.fluxcd.io" not in {g["name"] for g in get(served, "/apis")["groups"]}
        assert get(served, "/version")["gitVersion"] == DEFAULT_SERVER_VERSION


def test_unknown_forbid_kind_is_an_input_error(data_state: Any) -> None:
    from homelabctl.errors import InputError

    with pytest.raises(InputError, match="--forbid Widget"):
        SnapshotApi(data_state, forbid=["Widget"])


AGGREGATED = (
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
    "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json"
)


def test_aggregated_discovery_names_every_resource_in_one_document(served: Served) -> None:
    status, headers, body = fetch(served.url + "/apis", accept=AGGREGATED)
    assert status == 200
    assert headers["Content-Type"] == "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
    assert (body["kind"], body["apiVersion"]) == ("APIGroupDiscoveryList", "apidiscovery.k8s.io/v2")
    groups = {item["metadata"]["name"]: item for item in body["items"]}
    assert [v["version"] for v in groups["helm.toolkit.fluxcd.io"]["versions"]] == [
        "v2",
        "v2beta2",
        "v2beta1",
    ]
    deployments = next(
        r for r in groups["apps"]["versions"][0]["resources"] if r["resource"] == "deployments"
    )
    assert deployments == {
        "resource": "deployments",
        "responseKind": {"group": "apps", "version": "v1", "kind": "Deployment"},
        "scope": "Namespaced",
        "singularResource": "deployment",
        "verbs": ["get", "list", "watch"],
        "shortNames": ["deploy"],
        "categories": ["all"],
    }
    assert "velero.io" not in groups
    _, _, core = fetch(served.url + "/api", accept=AGGREGATED)
    assert core["items"][0]["metadata"] == {}
    nodes = next(r for r in core["items"][0]["versions"][0]["resources"] if r["resource"] == "nodes")
    assert (nodes["scope"], nodes["responseKind"]["kind"]) == ("Cluster", "Node")
    # a legacy client still gets the legacy documents
    assert fetch(served.url + "/apis")[2]["kind"] == "APIGroupList"


# -- hostile HTTP ------------------------------------------------------------------------------------------
def raw_exchange(served: Served, request: bytes, *, read_all: bool = True) -> bytes:
    import socket
    from urllib.parse import urlsplit

    url = urlsplit(served.url)
    with socket.create_connection((url.hostname or "127.0.0.1", url.port or 80), timeout=10) as sock:
        sock.sendall(request)
        chunks = []
        while read_all:
            chunk = sock.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)


def status_of_raw(answer: bytes) -> tuple[int, dict[str, Any]]:
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), json.loads(body)


@pytest.mark.parametrize("length", [b"abc", b"-1", b"1, 2", b"99999999999999999999999999"])
def test_a_bad_content_length_is_a_400_status_not_a_traceback(served: Served, length: bytes) -> None:
    answer = raw_exchange(
        served, b"GET /api/v1/pods HTTP/1.1\r\nHost: x\r\nContent-Length: " + length + b"\r\n\r\n"
    )
    code, body = status_of_raw(answer)
    assert (code, body["kind"], body["reason"]) == (400, "Status", "BadRequest")
    assert body["message"].startswith("malformed HTTP request")


def test_a_huge_write_is_refused_without_reading_its_body(served: Served) -> None:
    import time

    started = time.monotonic()
    # announces 400 MB, sends none of it: the answer must come without waiting for the body
    answer = raw_exchange(
        served,
        b"POST /api/v1/namespaces/media/pods HTTP/1.1\r\nHost: x\r\n"
        b"Content-Type: application/json\r\nContent-Length: 419430400\r\n\r\n{",
    )
    code, body = status_of_raw(answer)
    assert (code, body["reason"]) == (405, "MethodNotAllowed")
    assert time.monotonic() - started < 5
    answer = raw_exchange(
        served, b"GET /api/v1/pods HTTP/1.1\r\nHost: x\r\nContent-Length: 419430400\r\n\r\n{"
    )
    code, body = status_of_raw(answer)
    assert (code, body["reason"]) == (413, "RequestEntityTooLarge")


def test_garbage_and_unknown_paths_get_status_objects(served: Served) -> None:
    code, body = status_of_raw(raw_exchange(served, b"\x16\x03\x01garbage\r\n\r\n"))
    assert (code, body["kind"]) == (400, "Status")
    for path in (
        "/../../etc/passwd",
        "/api/v1/namespaces/media/pods/x/y/z/w",
        "/apis/%00/v1/x",
        "/" + "a/" * 2000,
    ):
        status, _, body = fetch(served.url + path)
        assert (status, body["kind"]) in ((404, "Status"), (400, "Status")), path
    status, _, body = fetch(served.url + "/api/v1/namespaces/media/pods?watch=1&resourceVersion=abc")
    assert (status, body["reason"]) == (400, "BadRequest")


def test_many_parallel_clients_are_all_answered(served: Served) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def one(i: int) -> int:
        return fetch(served.url + ("/api/v1/pods" if i % 2 else "/apis/apps/v1/deployments"))[0]

    with ThreadPoolExecutor(max_workers=100) as pool:
        codes = list(pool.map(one, range(200)))
    assert codes == [200] * 200
