from __future__ import annotations

import re
from collections.abc import Iterator

from homelabctl.model import Finding, Layer, Severity
from homelabctl.scan.registry import ScanContext, rule
from homelabctl.scan.rules._common import as_dict, as_list, values_line, walk

LOCAL_CLASSES = ("local-path", "local-storage", "openebs-hostpath")
DATA_RE = re.compile(
    r"prometheus|alertmanager|loki|thanos|mimir|tempo|postgres|postgresql|pgsql|cnpg|mysql|mariadb|mongo|"
    r"redis|valkey|minio|elasticsearch|opensearch|influx|victoria|clickhouse|etcd|vault|nextcloud|immich|"
    r"database|[-_]db\b|\bdb[-_]",
    re.IGNORECASE,
)


def _looks_important(*texts: object) -> str | None:
    for text in texts:
        match = DATA_RE.search(str(text or ""))
        if match:
            return match.group(0).strip("-_")
    return None


@rule("important-data-on-local-path", layer=Layer.STORAGE, severity=Severity.WARNING)
def important_data_on_local_path(ctx: ScanContext) -> Iterator[Finding]:
    """Prometheus, Alertmanager, Loki or a database keeps its data on ``local-path`` storage.

    Reads ``storageClassName`` of PersistentVolumeClaims, StatefulSet ``volumeClaimTemplates`` and
    ``storageClassName``/``storageClass`` keys anywhere in HelmRelease values, and flags the node-local
    classes (``local-path``, ``local-storage``, ``openebs-hostpath``) when the claim, workload, chart or
    values path names something whose data matters (Prometheus, Alertmanager, Loki, Postgres, MySQL,
    MariaDB, MongoDB, Redis, MinIO, Elasticsearch, InfluxDB...). local-path volumes live in one node's disk:
    no replica, lost with the node, and the pod can never be rescheduled elsewhere. A claim without a
    ``storageClassName`` that falls to K3s's default ``local-path`` is not visible from the repo.

    Seed: "Using local-path for Prometheus/Alertmanager due to Longhorn fsGroup issues"; "Monitoring on
    Ephemeral Storage: data loss risk".

    Next step: move it to a replicated class (Longhorn) or make sure Velero backs the volume up.
    """
    for pvc in ctx.objects("PersistentVolumeClaim"):
        cls = pvc.spec.get("storageClassName")
        what = _looks_important(pvc.name, ctx.graph.namespace_of(pvc), *as_dict(pvc.metadata.get("labels")).values())
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
        for i, template in enumerate(as_list(sts.spec.get("volumeClaimTemplates"))):
            cls = as_dict(as_dict(template).get("spec")).get("storageClassName")
            what = _looks_important(sts.name, ctx.graph.namespace_of(sts),
                                    as_dict(as_dict(template).get("metadata")).get("name"))
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
            what = _looks_important(dotted, hr.chart, hr.name)
            if not what:
                continue
            yield ctx.finding(
                hr.doc,
                f"HelmRelease {hr.namespace}/{hr.name} keeps {what} data on {value} (values.{dotted})",
                evidence=[f"values.{dotted}: {value}", f"chart: {hr.chart}"],
                hint="Use a replicated StorageClass (e.g. longhorn) or back the volume up with Velero",
                line=values_line(hr, *path),
            )
