from __future__ import annotations

from collections.abc import Iterator

from homelabctl import kinds
from homelabctl.checks.registry import CheckContext, check
from homelabctl.checks.workload._common import all_statuses, current_terminated, last_terminated, waiting
from homelabctl.k8s import enospc, storage
from homelabctl.k8s import pods as k8s_pods
from homelabctl.k8s.pod_trouble import pods_with_state_messages
from homelabctl.model import Finding, Layer, Lifecycle, ObjectRef, Severity

MAX_EVIDENCE_LINE = 240


@check(
    "volume-full",
    layer=Layer.STORAGE,
    severity=Severity.CRITICAL,
    requires=[kinds.POD],
    uses=[kinds.PVC],
    lifecycle=Lifecycle.PREVIEW,
)
def volume_full(ctx: CheckContext) -> Iterator[Finding]:
    """PersistentVolumeClaim that is full: a container failed writing under its mount with "no space left
    on device".

    Reads the messages of the current and last state of every container that is not Ready (the termination
    message and the log tail the kubelet keeps, and waiting messages) for ``no space left on device``, takes
    the absolute path named before it (``open /prometheus/wal/00001847: no space left on device``), follows it to
    the container's volume mount and the claim behind it (a ``persistentVolumeClaim`` or a generic ephemeral
    volume). Paths outside any claim (the container's own filesystem, an ``emptyDir``) are the node's disk
    and are left to the node checks; a relative path names no mount and is not judged.

    Why it matters: an application whose data volume is full crash-loops or stops writing (Prometheus
    cannot replay its WAL, PostgreSQL panics, Loki drops chunks). The pod's restarts and the Service
    without endpoints are symptoms; the claim is what has to change.

    Next step: expand the claim if its StorageClass allows it (``allowVolumeExpansion: true``:
    ``kubectl -n NS patch pvc NAME -p '{"spec":{"resources":{"requests":{"storage":"100Gi"}}}}'``), or free
    space on it (shorter retention, old WAL or logs); then let the pod restart.
    """
    by_claim: dict[tuple[str | None, str], list[str]] = {}
    for pod in pods_with_state_messages(ctx.index):  # the others have no message to read
        for cs, is_init in all_statuses(pod):
            if cs.get("ready") is True:
                continue  # running and Ready again: a last termination for want of space is history
            messages = [
                str(part.get("message") or "")
                for part in (waiting(cs), current_terminated(cs), last_terminated(cs))
            ]
            texts = [m for m in messages if enospc.NO_SPACE in m.lower()]
            if not texts:
                continue
            name = str(cs.get("name") or "")
            spec = k8s_pods.container(k8s_pods.pod_spec(pod), name)
            if spec is None:
                continue
            volumes = {v.name: v for v in k8s_pods.volumes(k8s_pods.pod_spec(pod), pod_name=pod.name)}
            for message in texts:
                for path in enospc.full_paths(message):
                    mount = enospc.mount_of(path, spec.volume_mounts)
                    volume = volumes.get(mount.name) if mount is not None else None
                    if mount is None or volume is None or not volume.claim_name:
                        continue
                    label = f"init container {name}" if is_init else f"container {name}"
                    line = enospc.line_with(message, path)[:MAX_EVIDENCE_LINE]
                    evidence = by_claim.setdefault((pod.namespace, volume.claim_name), [])
                    evidence.append(
                        f"pod {pod.namespace}/{pod.name} {label}: {line} ({mount.mount_path} is volume {volume.name})"
                    )
    for (namespace, claim_name), evidence in sorted(
        by_claim.items(), key=lambda kv: (kv[0][0] or "", kv[0][1])
    ):
        pvc = ctx.index.get(kinds.PVC, namespace, claim_name)
        size = ""
        if pvc is not None:
            claim = storage.claim(pvc)
            size = claim.capacity or claim.requested
            if size:
                evidence.append(f"claim capacity {size}")
        yield ctx.finding(
            pvc if pvc is not None else ObjectRef("PersistentVolumeClaim", namespace, claim_name),
            f"PersistentVolumeClaim {namespace}/{claim_name}{f' ({size})' if size else ''} is full: "
            "its pods cannot write to it (no space left on device)",
            evidence=list(dict.fromkeys(evidence)),
            hint=f"Expand the claim if its StorageClass allows it, or free space on it: kubectl -n {namespace} "
            f"get pvc {claim_name} -o wide; kubectl get storageclass",
        )
