from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from homelabctl import kinds
from homelabctl.checks.registry import CheckContext, check
from homelabctl.checks.storage._common import LOCAL_PATH_PROVISIONER, claim_class, claim_users, provisioner
from homelabctl.kube import pod_containers, pod_node
from homelabctl.model import Finding, Layer, Resource, Severity

DATA_STORES = {
    "prometheus": "Prometheus", "alertmanager": "Alertmanager", "loki": "Loki", "thanos": "Thanos",
    "mimir": "Mimir", "tempo": "Tempo", "victoriametrics": "VictoriaMetrics", "vmstorage": "VictoriaMetrics",
    "influxdb": "InfluxDB", "postgres": "PostgreSQL", "postgresql": "PostgreSQL", "cnpg": "PostgreSQL",
    "timescaledb": "TimescaleDB", "mysql": "MySQL", "mariadb": "MariaDB", "redis": "Redis", "valkey": "Valkey",
    "mongodb": "MongoDB", "mongo": "MongoDB", "etcd": "etcd", "minio": "MinIO", "elasticsearch": "Elasticsearch",
    "opensearch": "OpenSearch", "clickhouse": "ClickHouse", "cassandra": "Cassandra", "cockroachdb": "CockroachDB",
    "rabbitmq": "RabbitMQ", "kafka": "Kafka", "zookeeper": "ZooKeeper", "nats": "NATS", "vault": "Vault",
}
NOT_STORES = frozenset({
    "grafana", "exporter", "operator", "adapter", "reloader", "sidecar", "promtail", "proxy", "oauth2", "ui",
    "webhook", "dashboard", "console",
})
"""Tokens that mark a companion of a data store (``kube-prometheus-stack-grafana``), not the store."""
_NAME_LABELS = ("app.kubernetes.io/name", "app.kubernetes.io/component", "app", "k8s-app", "component")
_SPLIT = re.compile(r"[-_./:@]+")


def _store(texts: Iterable[str]) -> str | None:
    for text in texts:
        tokens = _SPLIT.split(text.lower())
        if NOT_STORES.intersection(tokens):
            continue
        for token in tokens:
            if token in DATA_STORES:
                return DATA_STORES[token]
    return None


def _image_repo(image: str) -> str:
    """``quay.io/prometheus/prometheus:v2.53.0`` → ``prometheus/prometheus`` (no registry, tag or digest)."""
    repo = image.split("@", 1)[0]
    last = repo.rsplit("/", 1)
    if ":" in last[-1]:
        repo = repo.rsplit(":", 1)[0]
    parts = repo.split("/")
    if len(parts) > 1 and ("." in parts[0] or ":" in parts[0] or parts[0] == "localhost"):
        parts = parts[1:]
    return "/".join(parts)


def _identify(ctx: CheckContext, claim: Resource, pods: list[Resource]) -> tuple[str, str] | None:
    """(data store, the signal that named it), from the strongest signal to the weakest."""
    for pod in pods:
        for container in pod_containers(pod.spec, init=False):
            found = _store([_image_repo(str(container.get("image") or ""))])
            if found:
                return found, f"pod {pod.name} runs image {container.get('image')}"
    for pod in pods:
        chain = ctx.index.owner_chain(pod)
        owner = chain[-1] if chain else None
        if owner is not None and (found := _store([owner.name])):
            return found, f"mounted by {owner.kind} {owner.namespace}/{owner.name}"
        labels = [pod.labels[k] for k in _NAME_LABELS if k in pod.labels]
        if found := _store(labels):
            return found, f"pod {pod.name} labels " + ", ".join(f"{k}={pod.labels[k]}" for k in _NAME_LABELS if k in pod.labels)
    labels = [claim.labels[k] for k in _NAME_LABELS if k in claim.labels]
    if found := _store(labels):
        return found, "PVC labels " + ", ".join(f"{k}={claim.labels[k]}" for k in _NAME_LABELS if k in claim.labels)
    if found := _store([claim.name]):
        return found, f"PVC name {claim.name}"
    return None


def _pinned_node(ctx: CheckContext, claim: Resource, pods: list[Resource]) -> str | None:
    volume = claim.spec.get("volumeName")
    pv = ctx.index.get(kinds.PV, None, str(volume)) if volume else None
    if pv is not None:
        required = (pv.spec.get("nodeAffinity") or {}).get("required") or {}
        for term in required.get("nodeSelectorTerms") or []:
            for expr in term.get("matchExpressions") or []:
                if expr.get("key") == "kubernetes.io/hostname" and expr.get("values"):
                    return str(expr["values"][0])
    selected = claim.annotations.get("volume.kubernetes.io/selected-node")
    if selected:
        return str(selected)
    nodes = [n for p in pods if (n := pod_node(p))]
    return nodes[0] if nodes else None


@check("important-data-on-local-path", layer=Layer.STORAGE, severity=Severity.WARNING, requires=[kinds.PVC],
       uses=[kinds.STORAGE_CLASS, kinds.POD, kinds.PV, kinds.STATEFULSET, kinds.REPLICASET, kinds.DEPLOYMENT])
def important_data_on_local_path(ctx: CheckContext) -> Iterator[Finding]:
    """Prometheus, Loki or a database keeps its data on local-path.

    Reads PVCs whose StorageClass uses ``rancher.io/local-path`` (K3s' built-in ``local-path`` class,
    also when the PVC gets it as the default class) and identifies what writes to them from, in order:
    the images of the pods that mount them, their owning StatefulSet/Deployment names, the pods' and the
    PVC's ``app.kubernetes.io/name``/``app`` labels, and the PVC name. Data stores recognised: Prometheus,
    Alertmanager, Loki, Thanos/Mimir/Tempo, PostgreSQL, MySQL/MariaDB, Redis, MongoDB, etcd, MinIO,
    Elasticsearch/OpenSearch, InfluxDB, ClickHouse and similar.

    Why it matters: a local-path volume is a directory on one node's disk: no replica, no CSI snapshot,
    and the pod can only ever run on that node; losing or rebuilding the node loses the data. Seed:
    "Using local-path for Prometheus/Alertmanager due to Longhorn fsGroup issues" ("Data loss risk"),
    flagged in every review until migrated.

    Next step: move the claim to a replicated class (Longhorn), after a file-system backup with Velero.
    """
    classes = {sc.name: sc for sc in ctx.index.all(kinds.STORAGE_CLASS)}
    local = {name for name, sc in classes.items() if provisioner(sc) == LOCAL_PATH_PROVISIONER}
    if not classes:
        local = {"local-path"}
    users = claim_users(ctx.index) if ctx.readable(kinds.POD) else {}
    for claim in ctx.index.all(kinds.PVC):
        sc_name = claim_class(claim, ctx.index)
        if sc_name not in local:
            continue
        pods = users.get((claim.namespace, claim.name), [])
        found = _identify(ctx, claim, pods)
        if found is None:
            continue
        store, signal = found
        size = (claim.status.get("capacity") or {}).get("storage") or (
            (claim.spec.get("resources") or {}).get("requests") or {}).get("storage", "?")
        named = claim.spec.get("storageClassName")
        evidence = [
            f"storageClassName={named if named is not None else '<unset>, default ' + str(sc_name)} "
            f"(provisioner {LOCAL_PATH_PROVISIONER}), {size}",
            f"identified as {store} by {signal}",
        ]
        node = _pinned_node(ctx, claim, pods)
        if node:
            evidence.append(f"data lives only on node {node}")
        replicated = sorted(n for n, sc in classes.items() if n not in local and provisioner(sc) == "driver.longhorn.io")
        target = replicated[0] if replicated else "a replicated StorageClass"
        yield ctx.finding(
            claim,
            f"PVC {claim.namespace}/{claim.name} keeps {store} data on local-path: one node's disk, no replica",
            evidence=evidence,
            hint=(f"Back it up first (`velero backup create --include-namespaces {claim.namespace} "
                  "--default-volumes-to-fs-backup`), then recreate the claim on "
                  f"{target} (for Helm charts: the storageClassName of the volumeClaimTemplate) and restore"),
        )
