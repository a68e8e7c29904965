from __future__ import annotations

from collections.abc import Iterator

from homelabctl.k8s import meta, storage
from homelabctl.knowledge.csi import NODE_LOCAL_CLASS_NAMES
from homelabctl.knowledge.data_stores import first_store, names_companion
from homelabctl.model import Finding, Layer, Severity
from homelabctl.scan.registry import ScanContext, rule
from homelabctl.scan.rules._common import values_line, walk

LOCAL_CLASSES = NODE_LOCAL_CLASS_NAMES


def _looks_important(*texts: object) -> str | None:
    return first_store(str(text) for text in texts if text)


def _values_store(dotted: str, chart: str, name: str) -> str | None:
    """The values path decides first: ``grafana.persistence`` in kube-prometheus-stack is Grafana's."""
    if names_companion(dotted):
        return None
    return _looks_important(dotted, chart, name)


@rule("important-data-on-local-path", layer=Layer.STORAGE, severity=Severity.WARNING)
def important_data_on_local_path(ctx: ScanContext) -> Iterator[Finding]:
    """Prometheus, Alertmanager, Loki or a database keeps its data on ``local-path`` storage.

    Reads ``storageClassName`` of PersistentVolumeClaims, StatefulSet ``volumeClaimTemplates`` and
    ``storageClassName``/``storageClass`` keys anywhere in HelmRelease values, and flags the node-local
    classes (``local-path``, ``local-storage``, ``openebs-hostpath``) when the claim, its labels, the
    workload, chart or values path names something whose data matters (Prometheus, Alertmanager, Loki,
    Postgres, MySQL, MariaDB, MongoDB, Redis, MinIO, Elasticsearch, InfluxDB, Kafka...), by whole words
    and never for a companion (``kube-prometheus-stack-grafana``, an exporter): the same list and rule as
    the cluster check of the same id. local-path volumes live in one node's disk:
    no replica, lost with the node, and the pod can never be rescheduled elsewhere. A claim without a
    ``storageClassName`` that falls to K3s's default ``local-path`` is not visible from the repo.

    Next step: move it to a replicated class (Longhorn) or make sure Velero backs the volume up.
    """
    for pvc in ctx.objects("PersistentVolumeClaim"):
        cls = storage.claim(pvc.data).storage_class
        what = _looks_important(pvc.name, *meta.labels_of(pvc.data).values())
        if cls in LOCAL_CLASSES and what:
            yield ctx.finding(
                pvc,
                f"PVC {ctx.graph.namespace_of(pvc) or 'default'}/{pvc.name} keeps {what} data on {cls}, a single "
                f"node's disk",
                evidence=[f"spec.storageClassName: {cls}"],
                hint="Use a replicated StorageClass (e.g. longhorn) or back the volume up with Velero",
                line=pvc.line_of("spec", "storageClassName"),
            )
    for sts in ctx.objects("StatefulSet"):
        for i, template in enumerate(storage.volume_claim_templates(sts.data)):
            cls = template.storage_class
            what = _looks_important(sts.name, template.name)
            if cls in LOCAL_CLASSES and what:
                yield ctx.finding(
                    sts,
                    f"StatefulSet {sts.name} keeps {what} data on {cls}, a single node's disk",
                    evidence=[f"spec.volumeClaimTemplates[{i}].spec.storageClassName: {cls}"],
                    hint="Use a replicated StorageClass (e.g. longhorn) or back the volume up with Velero",
                    line=sts.line_of("spec", "volumeClaimTemplates", i, "spec", "storageClassName"),
                )
    for hr in ctx.helm_releases():
        for path, value in walk(hr.values):
            if not path or path[-1] not in ("storageClassName", "storageClass") or value not in LOCAL_CLASSES:
                continue
            dotted = ".".join(map(str, path))
            what = _values_store(dotted, hr.chart, hr.name)
            if not what:
                continue
            yield ctx.finding(
                hr.doc,
                f"HelmRelease {hr.namespace}/{hr.name} keeps {what} data on {value} (values.{dotted})",
                evidence=[f"values.{dotted}: {value}", f"chart: {hr.chart}"],
                hint="Use a replicated StorageClass (e.g. longhorn) or back the volume up with Velero",
                line=values_line(hr, *path),
            )
