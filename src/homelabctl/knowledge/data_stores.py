"""What keeps data that matters, recognised by name tokens (image, workload, label, claim or values path).

Matching is by whole tokens (``kafka-data-0`` → kafka), never substrings, and a text naming a companion
of a store (``kube-prometheus-stack-grafana``, ``postgres-exporter``) names no store at all.
"""

from __future__ import annotations

from collections.abc import Iterable

from homelabctl.lazyre import LazyPattern

DATA_STORES: dict[str, str] = {
    "prometheus": "Prometheus",
    "alertmanager": "Alertmanager",
    "loki": "Loki",
    "thanos": "Thanos",
    "mimir": "Mimir",
    "tempo": "Tempo",
    "victoriametrics": "VictoriaMetrics",
    "victoria": "VictoriaMetrics",
    "vmstorage": "VictoriaMetrics",
    "influxdb": "InfluxDB",
    "influx": "InfluxDB",
    "postgres": "PostgreSQL",
    "postgresql": "PostgreSQL",
    "pgsql": "PostgreSQL",
    "cnpg": "PostgreSQL",
    "timescaledb": "TimescaleDB",
    "mysql": "MySQL",
    "mariadb": "MariaDB",
    "redis": "Redis",
    "valkey": "Valkey",
    "mongodb": "MongoDB",
    "mongo": "MongoDB",
    "etcd": "etcd",
    "minio": "MinIO",
    "elasticsearch": "Elasticsearch",
    "opensearch": "OpenSearch",
    "clickhouse": "ClickHouse",
    "cassandra": "Cassandra",
    "cockroachdb": "CockroachDB",
    "rabbitmq": "RabbitMQ",
    "kafka": "Kafka",
    "zookeeper": "ZooKeeper",
    "nats": "NATS",
    "vault": "Vault",
    "nextcloud": "Nextcloud",
    "immich": "Immich",
    "database": "database",
    "db": "database",
}
COMPANIONS = frozenset(
    {
        "grafana",
        "exporter",
        "operator",
        "adapter",
        "reloader",
        "sidecar",
        "promtail",
        "proxy",
        "oauth2",
        "ui",
        "webhook",
        "dashboard",
        "console",
    }
)
"""Tokens that mark a companion of a data store (``kube-prometheus-stack-grafana``), not the store."""
_SPLIT = LazyPattern(r"[-_./:@\s]+")


def tokens(text: str) -> list[str]:
    return [t for t in _SPLIT.split(text.lower()) if t]


def names_companion(text: str) -> bool:
    return bool(COMPANIONS.intersection(tokens(text)))


def store_named(text: str) -> str | None:
    """The data store one text names; None when it names none, or names a companion of one."""
    found = tokens(text)
    if COMPANIONS.intersection(found):
        return None
    for token in found:
        if token in DATA_STORES:
            return DATA_STORES[token]
    return None


def first_store(texts: Iterable[str]) -> str | None:
    """The store the first naming text names, texts in order of strength."""
    for text in texts:
        found = store_named(text)
        if found:
            return found
    return None


def image_repo(image: str) -> str:
    """``quay.io/prometheus/prometheus:v2.53.0`` → ``prometheus/prometheus`` (no registry, tag or digest)."""
    repo = image.split("@", 1)[0]
    last = repo.rsplit("/", 1)
    if ":" in last[-1]:
        repo = repo.rsplit(":", 1)[0]
    parts = repo.split("/")
    if len(parts) > 1 and ("." in parts[0] or ":" in parts[0] or parts[0] == "localhost"):
        parts = parts[1:]
    return "/".join(parts)
