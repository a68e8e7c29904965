"""What an object serves, by namespace, kind and name: users, data, the platform, or only observability.

The diagnosis shows first the causes whose failure reaches what users or data depend on; an exporter that
crashes never outranks an app that cannot start.
"""

from __future__ import annotations

OBSERVABILITY_NAMESPACES = frozenset(
    {"monitoring", "observability", "logging", "prometheus", "grafana", "loki"}
)
OBSERVABILITY_WORDS = (
    "exporter",
    "prometheus",
    "grafana",
    "alertmanager",
    "loki",
    "promtail",
    "kube-state-metrics",
    "metrics-server",
    "vector",
    "fluent",
    "tempo",
    "thanos",
)
DATA_KINDS = frozenset(
    {
        "PersistentVolumeClaim",
        "PersistentVolume",
        "Volume",
        "Replica",
        "Engine",
        "BackupStorageLocation",
        "VolumeSnapshotLocation",
        "Schedule",
        "Backup",
    }
)
DATA_NAMESPACES = frozenset(
    {"longhorn-system", "velero", "rook-ceph", "openebs", "minio", "databases", "database"}
)
PLATFORM_NAMESPACES = frozenset(
    {
        "kube-system",
        "flux-system",
        "cert-manager",
        "networking",
        "metallb-system",
        "cilium",
        "kube-node-lease",
        "kube-public",
        "system-upgrade",
    }
)
