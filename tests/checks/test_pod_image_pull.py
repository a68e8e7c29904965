from __future__ import annotations

from factories import container_status, event, pod
from helpers import findings, run_one

IMAGE = "lscr.io/linuxserver/bazarr:1.4.99"
NOT_FOUND = (
    f'rpc error: code = NotFound desc = failed to pull and unpack image "{IMAGE}": failed to resolve '
    f'reference "{IMAGE}": {IMAGE}: not found'
)


def _pulling(message: str = NOT_FOUND) -> dict[str, object]:
    containers = [{"name": "bazarr", "image": IMAGE}]
    return pod(
        "bazarr-6f9c7d8b5-t9m2x",
        "media",
        phase="Pending",
        containers=containers,
        statuses=[
            container_status(
                "bazarr",
                IMAGE,
                state="waiting",
                reason="ImagePullBackOff",
                message=f'Back-off pulling image "{IMAGE}"',
            )
        ],
    )


def test_fires_with_image_message_and_registry_answer() -> None:
    obj = _pulling()
    failed = event(obj, "Failed", f'Failed to pull image "{IMAGE}": {NOT_FOUND}', count=6)
    found = findings("pod-image-pull", [obj, failed])
    assert [f.object.name for f in found] == ["bazarr-6f9c7d8b5-t9m2x"]
    assert IMAGE in found[0].message
    text = "\n".join(found[0].evidence)
    assert f"image {IMAGE}: ImagePullBackOff: Back-off pulling image" in text
    assert "event Warning Failed (x6" in text and "not found" in text
    assert found[0].hint.startswith("The image or tag does not exist")
    assert "crictl pull" in found[0].hint


def test_names_a_network_cause_when_the_node_cannot_reach_the_registry() -> None:
    obj = _pulling()
    failed = event(
        obj, "Failed", "Failed to pull image: dial tcp: lookup lscr.io on 10.43.0.10:53: no such host"
    )
    found = findings("pod-image-pull", [obj, failed])
    assert "cannot reach the registry" in found[0].hint


def test_silent_when_images_are_pulled() -> None:
    assert findings("pod-image-pull", [pod("sonarr-0", "media")]) == []


def test_not_evaluated_without_pods() -> None:
    assert run_one("pod-image-pull", []).status == "not_evaluated"


def test_evidence_names_the_registry_and_the_reason_class() -> None:
    obj = _pulling()
    found = findings(
        "pod-image-pull", [obj, event(obj, "Failed", f'Failed to pull image "{IMAGE}": {NOT_FOUND}')]
    )
    assert "registry lscr.io, reason: not found" in found[0].evidence
    # https://github.com/dell/csi-baremetal/issues/391 (Docker Hub's 429 through containerd)
    limited = pod(
        "centos-tester",
        "default",
        phase="Pending",
        containers=[{"name": "c", "image": "centos"}],
        statuses=[container_status("c", "centos", state="waiting", reason="ErrImagePull")],
    )
    rate = (
        'Failed to pull image "centos": rpc error: code = Unknown desc = failed to pull and unpack image '
        '"docker.io/library/centos:latest": failed to copy: httpReaderSeeker: failed open: unexpected status code '
        "https://registry-1.docker.io/v2/library/centos/manifests/sha256:dbbacecc: 429 Too Many Requests - Server "
        "message: toomanyrequests: You have reached your pull rate limit."
    )
    found = findings("pod-image-pull", [limited, event(limited, "Failed", rate)])
    assert (
        "registry docker.io, reason: rate-limited (the registry's side: see image-registry-failing)"
        in found[0].evidence
    )
    assert found[0].hint.startswith("The registry rate-limited the node")
