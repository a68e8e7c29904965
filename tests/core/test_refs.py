"""The shared reference readers: registry and URL hosts, NFS shares, failure classes, Service endpoints."""

from __future__ import annotations

import pytest

from homelabctl.k8s import refs
from homelabctl.model import Resource

from factories import deployment, state
from factories_apps import daemonset
from factories_diag import endpoint_slice, endpoints, nfs_pv
from factories_platform import service


@pytest.mark.parametrize(
    ("image", "host"),
    [
        ("nginx", "docker.io"),
        ("nginx:1.27", "docker.io"),
        ("library/nginx", "docker.io"),
        ("linuxserver/sonarr:4.0.14", "docker.io"),
        ("docker.io/library/busybox:latest", "docker.io"),
        ("registry-1.docker.io/library/busybox", "docker.io"),
        ("index.docker.io/jaegertracing/all-in-one@sha256:" + "8" * 64, "docker.io"),
        ("ghcr.io/home-operations/radarr:5.21", "ghcr.io"),
        ("lscr.io/linuxserver/bazarr:1.4.99", "lscr.io"),
        ("registry.lab.local:5000/tools/app:1", "registry.lab.local"),
        ("localhost/app", "localhost"),
        ("localhost:5000/app", "localhost"),
        ("Quay.IO/prometheus/node-exporter", "quay.io"),
    ],
)
def test_registry_host(image: str, host: str) -> None:
    assert refs.registry_host(image) == host


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://github.com/onedr0p/home-ops", "github.com"),
        ("ssh://git@github.com/user/repository", "github.com"),
        ("ssh://git@gitea.lab.local:2222/me/flux.git", "gitea.lab.local"),
        ("git@github.com:org/repo.git", "github.com"),
        ("oci://ghcr.io/stefanprodan/charts/podinfo", "ghcr.io"),
        ("http://minio.velero.svc:9000", "minio.velero.svc"),
        ("s3.eu-west-1.amazonaws.com", "s3.eu-west-1.amazonaws.com"),
        ("nas.lab.local:9000", "nas.lab.local"),
        ("", None),
    ],
)
def test_url_host(url: str, host: str | None) -> None:
    assert refs.url_host(url) == host


def test_nfs_share_in_tree_and_csi() -> None:
    in_tree = Resource.from_raw(nfs_pv("media", "192.168.10.5", "/volume1/media"))
    assert refs.nfs_share(in_tree) == refs.NfsShare("192.168.10.5", "/volume1/media")
    csi = Resource.from_raw(nfs_pv("backups", "NAS.lab.local", "/export/backups", csi=True))
    assert refs.nfs_share(csi) == refs.NfsShare("nas.lab.local", "/export/backups")


def test_nfs_server_and_failure_in_kubelet_messages() -> None:
    # https://github.com/huggingface/dataset-viewer/issues/270 (kubelet FailedMount, in-tree NFS)
    timed_out = (
        'MountVolume.SetUp failed for volume "nfs" : mount failed: exit status 32\nMounting command: mount\n'
        "Mounting arguments: -t nfs svm-0adb.fs-0220.fsx.us-east-1.amazonaws.com:/fsx /var/lib/kubelet/pods/"
        "5088f644/volumes/kubernetes.io~nfs/nfs\nOutput: mount.nfs: Connection timed out"
    )
    assert refs.nfs_server_in_message(timed_out) == "svm-0adb.fs-0220.fsx.us-east-1.amazonaws.com"
    assert refs.nfs_failure(timed_out) == "the server does not answer (connection timed out)"
    # https://github.com/nfs-ganesha/nfs-ganesha/issues/399 (systemd-run mounter with -o options)
    refused = (
        "Mounting arguments: --description=Kubernetes transient mount for /var/lib/kubelet/pods/b586/volumes/"
        "kubernetes.io~nfs/rook-nfs-pv --scope -- mount -t nfs -o vers=4.1 10.98.14.12:/nfs-ceph-claim "
        "/var/lib/kubelet/pods/b586/volumes/kubernetes.io~nfs/rook-nfs-pv\nOutput: mount.nfs: Connection refused"
    )
    assert refs.nfs_server_in_message(refused) == "10.98.14.12"
    denied = "Output: mount.nfs: access denied by server while mounting 192.168.10.5:/volume1/media"
    assert refs.nfs_server_in_message(denied) == "192.168.10.5"
    assert refs.nfs_failure(denied) == "the server denies the export to this node"
    assert (
        refs.nfs_failure("driver name driver.longhorn.io not found in the list of registered CSI drivers")
        is None
    )


@pytest.mark.parametrize(
    ("message", "klass"),
    [
        # https://github.com/kata-containers/kata-containers/issues/10109
        (
            'failed to pull and unpack image "docker.io/library/busybox:latest": failed to copy: httpReadSeeker: failed open: '
            "unexpected status code https://registry-1.docker.io/v2/library/busybox/manifests/sha256:50aa: 429 Too Many "
            "Requests - Server message: toomanyrequests: You have reached your pull rate limit.",
            refs.RATE_LIMITED,
        ),
        # https://github.com/rtCamp/action-slack-notify/issues/146
        (
            'Head "https://ghcr.io/v2/rtcamp/action-slack-notify/manifests/v2.2.0": received unexpected HTTP status: '
            "503 Service Unavailable",
            refs.SERVER_ERROR,
        ),
        (
            'failed to resolve reference: failed to do request: Head "https://registry.lab.local/v2/app/manifests/1": '
            "dial tcp: lookup registry.lab.local on 10.43.0.10:53: no such host",
            refs.UNREACHABLE,
        ),
        (
            'failed to do request: Head "https://harbor.lab.local/v2/x/manifests/1": tls: failed to verify certificate: '
            "x509: certificate signed by unknown authority",
            refs.TLS_ERROR,
        ),
        (
            'failed to resolve reference "ghcr.io/me/private:1": failed to authorize: failed to fetch anonymous token: '
            "unexpected status from GET request to https://ghcr.io/token: 401 Unauthorized",
            refs.UNAUTHORIZED,
        ),
        (
            'failed to resolve reference "lscr.io/linuxserver/bazarr:1.4.99": lscr.io/linuxserver/bazarr:1.4.99: not found',
            refs.NOT_FOUND,
        ),
        ("Back-off pulling image", None),
    ],
)
def test_pull_failure_classes(message: str, klass: str | None) -> None:
    assert refs.pull_failure(message) == klass


@pytest.mark.parametrize(
    ("message", "klass"),
    [
        # https://github.com/fluxcd/flux2/issues/2847
        (
            "failed to checkout and determine revision: unable to clone 'ssh://git@github.com/org/repo': ssh: handshake "
            "failed: ssh: unable to authenticate, attempted methods [none publickey], no supported methods remain",
            refs.SOURCE_AUTH,
        ),
        # https://github.com/fluxcd/source-controller/issues/490
        (
            "unable to clone 'ssh://git@github.com/user/repository', error: ssh: handshake failed: knownhosts: key mismatch",
            refs.SOURCE_HOST_KEY,
        ),
        (
            "failed to checkout and determine revision: unable to clone 'https://github.com/me/gone': repository not found: "
            "repository not found",
            refs.SOURCE_NOT_FOUND,
        ),
        (
            "failed to checkout and determine revision: unable to clone 'https://github.com/me/ops': Get \"https://github.com"
            '/me/ops/info/refs?service=git-upload-pack": dial tcp: lookup github.com on 10.43.0.10:53: no such host',
            refs.SOURCE_DNS,
        ),
        ("stored artifact for revision 'main@sha1:abc' is up to date", None),
    ],
)
def test_source_failure_classes(message: str, klass: str | None) -> None:
    assert refs.source_failure(message) == klass


def test_names_in_messages() -> None:
    # https://github.com/kubernetes-sigs/cluster-api/issues/6115
    text = (
        'Internal error occurred: failed calling webhook "default.cluster.cluster.x-k8s.io": failed to call '
        'webhook: Post "https://capi-webhook-service.capi-system.svc:443/mutate?timeout=10s": no endpoints '
        'available for service "capi-webhook-service"'
    )
    assert refs.webhooks_in_message(text) == ["default.cluster.cluster.x-k8s.io"]
    # https://github.com/ZP-AlwaysWin/K8S-FastDFS/issues/6
    assert refs.storage_class_in_message('storageclass.storage.k8s.io "fast" not found') == "fast"
    assert refs.storage_class_in_message("waiting for first consumer") is None


def test_service_endpoints_prefer_slices_and_fall_back_to_endpoints() -> None:
    svc = service("sonarr", "media", selector={"app.kubernetes.io/name": "sonarr"}, port=8989)
    slice_ = endpoint_slice(svc, [("10.42.1.7", "sonarr-0", True), ("10.42.2.9", "sonarr-1", False)])
    eps = endpoints(svc, ready=[("10.42.1.7", "sonarr-0")], not_ready=[])
    index = state([svc, slice_, eps]).index
    res = index.get("Service", "media", "sonarr")
    assert res is not None
    from_slices = refs.service_endpoints(index, res, slices_read=True, endpoints_read=True)
    assert from_slices is not None and from_slices.source == "EndpointSlice"
    assert [e.address for e in from_slices.ready] == ["10.42.1.7"]
    assert [e.pod for e in from_slices.not_ready] == ["sonarr-1"]
    assert from_slices.summary() == "EndpointSlice: 1 ready, 1 not ready (10.42.2.9 pod sonarr-1)"
    from_eps = refs.service_endpoints(index, res, slices_read=False, endpoints_read=True)
    assert from_eps is not None and from_eps.source == "Endpoints" and len(from_eps.ready) == 1
    assert refs.service_endpoints(index, res, slices_read=False, endpoints_read=False) is None
    assert "sonarr.media.svc.cluster.local" in refs.service_names(res)


def test_scaled_to_zero_finds_idle_deployments_and_daemonsets_without_nodes() -> None:
    dep = deployment("bazarr", "media", replicas=0, ready=0)
    ds = daemonset("dcgm-exporter", "gpu", labels={"app": "dcgm-exporter"}, desired=0)
    idle_dep = service("bazarr", "media", selector={"app.kubernetes.io/name": "bazarr"})
    idle_ds = service("dcgm-exporter", "gpu", selector={"app": "dcgm-exporter"})
    busy = service("sonarr", "media", selector={"app.kubernetes.io/name": "sonarr"})
    index = state([dep, ds, idle_dep, idle_ds, busy, deployment("sonarr", "media")]).index

    def get(ns: str, name: str) -> Resource:
        found = index.get("Service", ns, name)
        assert found is not None
        return found

    assert refs.scaled_to_zero(index, get("media", "bazarr")) is not None
    assert refs.scaled_to_zero(index, get("gpu", "dcgm-exporter")) is not None
    assert refs.scaled_to_zero(index, get("media", "sonarr")) is None
