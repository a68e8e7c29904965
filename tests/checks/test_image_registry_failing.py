from __future__ import annotations

from typing import Any

from factories import container_status, event, pod
from helpers import findings, run_one

# https://github.com/kata-containers/kata-containers/issues/10109 (containerd quoting Docker Hub's 429)
RATE_LIMIT = (
    'Failed to pull image "busybox": rpc error: code = Unknown desc = failed to pull and unpack image '
    '"docker.io/library/busybox:latest": failed to copy: httpReadSeeker: failed open: unexpected status code '
    "https://registry-1.docker.io/v2/library/busybox/manifests/sha256:50aa4698fa62: 429 Too Many Requests - "
    "Server message: toomanyrequests: You have reached your pull rate limit. You may increase the limit by "
    "authenticating and upgrading: https://www.docker.com/increase-rate-limit"
)
# https://github.com/openflagr/flagr/issues/529 (ghcr.io answering 503)
GHCR_503 = (
    'Failed to pull image "ghcr.io/openflagr/flagr:1.1.18": failed to resolve reference: unexpected status '
    "from HEAD request to https://ghcr.io/v2/openflagr/flagr/manifests/1.1.18: 503 Service Unavailable"
)


def _pulling(name: str, image: str, node_name: str, message: str) -> list[dict[str, Any]]:
    obj = pod(
        name,
        "apps",
        node_name=node_name,
        phase="Pending",
        containers=[{"name": "app", "image": image}],
        statuses=[
            container_status(
                "app",
                image,
                state="waiting",
                reason="ImagePullBackOff",
                message=f'Back-off pulling image "{image}"',
            )
        ],
    )
    return [obj, event(obj, "Failed", message, count=5)]


def test_one_finding_per_registry_and_reason_on_the_external_host() -> None:
    objs = [
        *_pulling("busybox-a", "busybox", "k3s1", RATE_LIMIT),
        *_pulling("busybox-b", "docker.io/library/busybox:latest", "k3s2", RATE_LIMIT),
        *_pulling("flagr-0", "ghcr.io/openflagr/flagr:1.1.18", "k3s2", GHCR_503),
    ]
    found = findings("image-registry-failing", objs)
    assert [(f.object.kind, f.object.namespace, f.object.name) for f in found] == [
        ("ExternalHost", None, "docker.io"),
        ("ExternalHost", None, "ghcr.io"),
    ]
    hub, ghcr = found
    assert (
        hub.message
        == "Registry docker.io is failing pulls (rate-limited): 2 pod(s) on 2 node(s) cannot start"
    )
    assert "pod apps/busybox-a on k3s1" in hub.evidence and "pod apps/busybox-b on k3s2" in hub.evidence
    assert any("toomanyrequests: You have reached your pull rate limit" in e for e in hub.evidence)
    assert "registries.yaml" in hub.hint and "crictl pull busybox" in hub.hint
    assert "server error" in ghcr.message


def test_silent_on_credential_and_tag_failures() -> None:
    denied = (
        'Failed to pull image "ghcr.io/me/private:1": failed to authorize: failed to fetch anonymous token: '
        "unexpected status from GET request to https://ghcr.io/token: 401 Unauthorized"
    )
    missing = 'Failed to pull image "lscr.io/linuxserver/bazarr:1.4.99": lscr.io/linuxserver/bazarr:1.4.99: not found'
    objs = [
        *_pulling("private-0", "ghcr.io/me/private:1", "k3s1", denied),
        *_pulling("bazarr-0", "lscr.io/linuxserver/bazarr:1.4.99", "k3s1", missing),
        pod("ok-0", "apps"),
    ]
    assert findings("image-registry-failing", objs) == []


def test_not_evaluated_without_pods() -> None:
    assert run_one("image-registry-failing", []).status == "not_evaluated"
