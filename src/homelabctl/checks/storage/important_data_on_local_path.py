from __future__ import annotations

from collections.abc import Iterable, Iterator

from homelabctl import kinds
from homelabctl.checks.registry import CheckContext, check
from homelabctl.checks.storage._common import LOCAL_PATH_PROVISIONER, claim_class, claim_users, provisioner
from homelabctl.k8s import meta, pods, storage
from homelabctl.knowledge.data_stores import first_store, image_repo
from homelabctl.model import Finding, Layer, Nature, Resource, Severity

_NAME_LABELS = ("app.kubernetes.io/name", "app.kubernetes.io/component", "app", "k8s-app", "component")


def _store(texts: Iterable[str]) -> str | None:
    return first_store(texts)


def _identify(ctx: CheckContext, claim: Resource, users: list[Resource]) -> tuple[str, str] | None:
    """(data store, the signal that named it), from the strongest signal to the weakest."""
    for pod in users:
        for image in pods.images(pods.pod_spec(pod)):
            found = _store([image_repo(image)])
            if found:
                return found, f"pod {pod.name} runs image {image}"
    for pod in users:
        chain = ctx.index.owner_chain(pod)
        owner = chain[-1] if chain else None
        if owner is not None and (found := _store([owner.name])):
            return found, f"mounted by {owner.kind} {owner.namespace}/{owner.name}"
        labels = [pod.labels[k] for k in _NAME_LABELS if k in pod.labels]
        if found := _store(labels):
            return found, f"pod {pod.name} labels " + ", ".join(
                f"{k}={pod.labels[k]}" for k in _NAME_LABELS if k in pod.labels
            )
    labels = [claim.labels[k] for k in _NAME_LABELS if k in claim.labels]
    if found := _store(labels):
        return found, "PVC labels " + ", ".join(
            f"{k}={claim.labels[k]}" for k in _NAME_LABELS if k in claim.labels
        )
    if found := _store([claim.name]):
        return found, f"PVC name {claim.name}"
    return None


def _pinned_node(ctx: CheckContext, claim: Resource, users: list[Resource]) -> str | None:
    volume = storage.claim(claim).volume_name
    pv = ctx.index.get(kinds.PV, None, volume) if volume else None
    if pv is not None and (hosts := storage.pv_pinned_hosts(pv)):
        return hosts[0]
    selected = meta.annotations_of(claim).get("volume.kubernetes.io/selected-node")
    if selected:
        return selected
    nodes = [n for p in users if (n := pods.node_name(p))]
    return nodes[0] if nodes else None


@check(
    "important-data-on-local-path",
    layer=Layer.STORAGE,
    severity=Severity.WARNING,
    requires=[kinds.PVC],
    uses=[kinds.STORAGE_CLASS, kinds.POD, kinds.PV, kinds.STATEFULSET, kinds.REPLICASET, kinds.DEPLOYMENT],
    nature=Nature.CONFIGURATION,
    areas=["resilience"],
)
def important_data_on_local_path(ctx: CheckContext) -> Iterator[Finding]:
    """Prometheus, Loki or a database keeps its data on local-path.

    Reads PVCs whose StorageClass uses ``rancher.io/local-path`` (K3s' built-in ``local-path`` class,
    also when the PVC gets it as the default class) and identifies what writes to them from, in order:
    the images of the pods that mount them, their owning StatefulSet/Deployment names, the pods' and the
    PVC's ``app.kubernetes.io/name``/``app`` labels, and the PVC name. Data stores recognised: Prometheus,
    Alertmanager, Loki, Thanos/Mimir/Tempo, PostgreSQL, MySQL/MariaDB, Redis, MongoDB, etcd, MinIO,
    Elasticsearch/OpenSearch, InfluxDB, ClickHouse, Kafka and similar, by whole words and never for a
    companion (``kube-prometheus-stack-grafana``, an exporter): the same list and rule as the scan rule of
    the same id.

    Why it matters: a local-path volume is a directory on one node's disk: no replica, no CSI snapshot,
    and the pod can only ever run on that node; losing or rebuilding the node loses the data.

    Next step: move the claim to a replicated class (Longhorn), after a file-system backup with Velero.
    """
    classes = {sc.name: sc for sc in ctx.index.all(kinds.STORAGE_CLASS)}
    local = {name for name, sc in classes.items() if provisioner(sc) == LOCAL_PATH_PROVISIONER}
    if not classes:
        local = {"local-path"}
    # the pods by claim are read (once per run, k8s.memo) only for a claim that is reported: most are not
    pods_readable = ctx.readable(kinds.POD)
    for claim in ctx.index.all(kinds.PVC):
        sc_name = claim_class(claim, ctx.index)
        if sc_name not in local:
            continue
        mounting = claim_users(ctx.index).get((claim.namespace, claim.name), []) if pods_readable else []
        found = _identify(ctx, claim, mounting)
        if found is None:
            continue
        store, signal = found
        info = storage.claim(claim)
        size = info.capacity or info.requested or "?"
        named = info.storage_class
        evidence = [
            f"storageClassName={named if named is not None else '<unset>, default ' + str(sc_name)} "
            f"(provisioner {LOCAL_PATH_PROVISIONER}), {size}",
            f"identified as {store} by {signal}",
        ]
        node = _pinned_node(ctx, claim, mounting)
        if node:
            evidence.append(f"data lives only on node {node}")
        replicated = sorted(
            n for n, sc in classes.items() if n not in local and provisioner(sc) == "driver.longhorn.io"
        )
        target = replicated[0] if replicated else "a replicated StorageClass"
        yield ctx.finding(
            claim,
            f"PVC {claim.namespace}/{claim.name} keeps {store} data on local-path: one node's disk, no replica",
            evidence=evidence,
            hint=(
                f"Back it up first (`velero backup create --include-namespaces {claim.namespace} "
                "--default-volumes-to-fs-backup`), then recreate the claim on "
                f"{target} (for Helm charts: the storageClassName of the volumeClaimTemplate) and restore"
            ),
        )
