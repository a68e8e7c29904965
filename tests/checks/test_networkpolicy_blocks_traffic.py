from __future__ import annotations

from typing import Any

from factories import container_status, deployment
from factories_apps import crashloop_status, owned_pod, replicaset, service, statefulset
from factories_diag import endpoint_slice, namespace, network_policy
from helpers import findings, run_one

PG = "ghcr.io/cloudnative-pg/postgresql:16.4"
APP = "ghcr.io/goauthentik/server:2025.2.1"
# Shape of the error an app logs when its database connection is dropped by a policy (psycopg/pgx style).
TIMEOUT = (
    'django.db.utils.OperationalError: connection to server at "postgres.databases.svc.cluster.local" '
    "(10.43.12.5), port 5432 failed: Connection timed out"
)


def _cluster(policy: dict[str, Any]) -> list[dict[str, Any]]:
    sts = statefulset("postgres", "databases", labels={"app.kubernetes.io/name": "postgres"})
    pg = owned_pod(sts, "0", statuses=[container_status("postgres", PG)])
    svc = service(
        "postgres", "databases", {"app.kubernetes.io/name": "postgres"}, [{"name": "pg", "port": 5432}]
    )
    svc["spec"]["clusterIP"], svc["spec"]["clusterIPs"] = "10.43.12.5", ["10.43.12.5"]
    dep = deployment(
        "authentik-server", "authentik", ready=0, pod_spec={"containers": [{"name": "server", "image": APP}]}
    )
    rs = replicaset(dep)
    app = owned_pod(rs, "q8w7e", statuses=[crashloop_status("server", APP, message=TIMEOUT)])
    return [
        namespace("databases"),
        namespace("authentik"),
        sts,
        pg,
        svc,
        endpoint_slice(svc, [("10.42.1.17", pg["metadata"]["name"], True)]),
        dep,
        rs,
        app,
        policy,
    ]


def test_fires_on_a_default_deny_policy_that_cuts_off_a_client() -> None:
    found = findings(
        "networkpolicy-blocks-traffic", _cluster(network_policy("default-deny-ingress", "databases"))
    )
    assert [(f.object.kind, f.object.namespace, f.object.name) for f in found] == [
        ("NetworkPolicy", "databases", "default-deny-ingress")
    ]
    f = found[0]
    assert "(denies all ingress)" in f.evidence[0]
    assert f.evidence[1].startswith(
        "pod authentik/authentik-server-7d9f8b6c5d-q8w7e → Service databases/postgres "
        "(Ready pod postgres-0): django.db.utils.OperationalError"
    )
    assert "kubernetes.io/metadata.name: authentik" in f.hint


def test_silent_when_a_rule_admits_the_client_namespace() -> None:
    allow = network_policy(
        "allow-authentik",
        "databases",
        ingress=[
            {"from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "authentik"}}}]}
        ],
    )
    assert findings("networkpolicy-blocks-traffic", _cluster(allow)) == []


def test_silent_when_the_policy_only_restricts_egress() -> None:
    egress = network_policy("egress-only", "databases", policy_types=["Egress"])
    assert findings("networkpolicy-blocks-traffic", _cluster(egress)) == []


def test_not_evaluated_without_network_policies() -> None:
    objs = [o for o in _cluster(network_policy("x", "databases")) if o["kind"] != "NetworkPolicy"]
    assert run_one("networkpolicy-blocks-traffic", objs).status == "not_evaluated"
