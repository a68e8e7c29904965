"""Tuned scenarios for the generic mechanisms added after the second holdout: objects that govern others
(a ResourceQuota), Flux health checks that wait for a workload, and a node's network agent failing on a
Ready node. Each ``expected.yaml`` was written before the diagnosis was run on its snapshot.

Run through ``python tests/data_tools/corpus.py [name ...]`` (its ``main`` includes these). Deterministic.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import platform_parts as p
from corpus import (
    EV,
    Expected,
    app,
    backoff_event,
    cause,
    crash,
    crashify,
    cronjob,
    ev,
    expected,
    find,
    flux_base,
    g_ago,
    lab,
    sym,
    the_pod,
    workload_down,
)
from homelab import CLUSTER_BORN, Lab
from k8sgen import b64, plus

import scenarios as s

ref = s.ref
_PG_IMAGE = "ghcr.io/cloudnative-pg/postgresql:16.4"


def _postgres(
    g: Lab,
    *,
    pods: list[dict[str, Any]],
    ks: str | None = None,
    replicas: int | None = None,
    resources: dict[str, Any] | None = None,
) -> dict[str, Any]:
    sel = {"app.kubernetes.io/name": "postgres", "app.kubernetes.io/instance": "postgres"}
    container = {
        "name": "postgres",
        "image": _PG_IMAGE,
        "ports": [{"containerPort": 5432, "name": "postgres"}],
        "resources": resources
        or {"limits": {"memory": "2Gi", "cpu": "1"}, "requests": {"cpu": "250m", "memory": "1Gi"}},
    }
    created = plus(CLUSTER_BORN, days=6)
    sts = g.statefulset(
        "databases.yaml",
        "databases",
        "postgres",
        spec={"containers": [container]},
        created=created,
        pods=pods,
        selector=sel,
        ks=ks,
        service_name="postgres",
        replicas=replicas,
    )
    g.service(
        "databases.yaml",
        "databases",
        "postgres",
        selector=sel,
        created=created,
        labels=sel,
        ks=ks,
        ports=[{"name": "postgres", "port": 5432, "targetPort": "postgres"}],
    )
    return cast("dict[str, Any]", sts)


def quota_blocks_statefulset() -> tuple[Lab, Expected]:
    g = lab("quota-blocks-statefulset")
    since = g_ago(hours=2, minutes=12)
    sts = _postgres(g, pods=[], replicas=1)
    workload_down(sts, since)
    g.cr(
        "databases.yaml",
        "v1",
        "ResourceQuota",
        "databases-quota",
        "databases",
        created=plus(CLUSTER_BORN, days=6),
        spec={"hard": {"limits.cpu": "4", "limits.memory": "8Gi", "pods": "10"}},
        status={
            "hard": {"limits.cpu": "4", "limits.memory": "8Gi", "pods": "10"},
            "used": {"limits.cpu": "3500m", "limits.memory": "7Gi", "pods": "5"},
        },
    )
    ev(
        g,
        sts,
        "FailedCreate",
        'create Pod postgres-0 in StatefulSet postgres failed error: pods "postgres-0" is '
        "forbidden: exceeded quota: databases-quota, requested: limits.cpu=1,limits.memory=2Gi, used: "
        "limits.cpu=3500m,limits.memory=7Gi, limited: limits.cpu=4,limits.memory=8Gi",
        first=since,
        last=g.ago(minutes=3),
        count=41,
        component="statefulset-controller",
        host=None,
    )
    app(g, "vikunja", "docker.io/vikunja/vikunja:0.24.6", 3456, ns="home", node="k3s2")
    return g, expected(
        "The namespace's ResourceQuota has no room left for the database's limits: the StatefulSet controller's "
        "FailedCreate says 'exceeded quota: databases-quota', so postgres-0 is never created. The quota (or the "
        "limits) is what the operator changes, not the StatefulSet's image or storage.",
        [
            "https://github.com/percona/percona-helm-charts/issues/460",
            "https://github.com/openshiftio/openshift.io/issues/4668",
        ],
        [
            cause(
                ref("ResourceQuota", "databases", "databases-quota"),
                "workload",
                sym(ref("StatefulSet", "databases", "postgres"), "workload-replicas-unavailable"),
            )
        ],
    )


def flux_wait_statefulset_crash() -> tuple[Lab, Expected]:
    g = lab("flux-wait-statefulset-crash")
    flux_base(g)
    since = g_ago(hours=1, minutes=37)
    sts = _postgres(g, ks="apps-databases", pods=[{"node": "k3s3", "mode": "running"}])
    pod = the_pod(g, "databases", "postgres-")
    crashify(
        g,
        pod,
        "postgres",
        'FATAL:  could not write lock file "postmaster.pid": No space left on device',
        23,
        since,
    )
    workload_down(sts, since)
    rev = "5c1d0f3e8b7a9d2c4e6f1a3b5c7d9e0f2a4b6c8d"
    g.kustomization(
        "apps-databases",
        "./clusters/k3s-home/apps/databases",
        created=plus(CLUSTER_BORN, days=6),
        revision=rev,
        applied=g.ago(minutes=12),
        health_checks=True,
        last_applied=rev,
        ready=(
            "False",
            "HealthCheckFailed",
            "health check failed after 5m0.009184216s: timeout waiting for: "
            "[StatefulSet/databases/postgres status: 'InProgress']",
        ),
    )
    return g, expected(
        "A Flux Kustomization with wait: true applies the database StatefulSet, whose only pod crash-loops (its "
        "volume is full). Flux reports 'health check failed ... StatefulSet/databases/postgres': the Kustomization "
        "is a symptom of the StatefulSet, not a second cause.",
        [
            "https://github.com/fluxcd/kustomize-controller/issues/709",
            "https://github.com/fluxcd/flux2/issues/1193",
        ],
        [
            cause(
                ref("StatefulSet", "databases", "postgres"),
                "workload",
                sym(pod, "pod-crashloop"),
                sym(ref("Kustomization", "flux-system", "apps-databases"), "flux-not-ready"),
            )
        ],
    )


def cilium_agent_crash_ready_node() -> tuple[Lab, Expected]:
    since = g_ago(hours=3, minutes=8)
    msg = (
        'level=fatal msg="Error while creating daemon" error="error while initializing daemon: failed while '
        'reinitializing datapath: Command execution failed for [/var/lib/cilium/bpf/init.sh]: context canceled" '
        "subsys=daemon"
    )
    g = lab(
        "cilium-agent-crash-ready-node",
        agent={
            "k3s3": {
                "mode": "crash",
                "crash_since": since,
                "created": plus(since, seconds=-30),
                "crash": {"cilium-agent": crash(Lab("clock", s.NOW), msg, 37, ran=9)},
            }
        },
    )
    agent = the_pod(g, "kube-system", "cilium-", "k3s3")
    backoff_event(g, agent, "cilium-agent", 410, since)
    app(g, "paperless", "ghcr.io/paperless-ngx/paperless-ngx:2.16.3", 8000, ns="home", node="k3s2")
    return g, expected(
        "After a kernel update on k3s3 the Cilium agent there fails to load its datapath and crash-loops, while "
        "k3s3 stays Ready (its kubelet posts status, its other pods run) and the agents on the other nodes are "
        "fine. The Cilium DaemonSet's pod is the cause; the node's network being down is its consequence.",
        ["https://github.com/cilium/cilium/issues/21470", "https://github.com/cilium/cilium/issues/21829"],
        [
            cause(
                ref("DaemonSet", "kube-system", "cilium"),
                "workload",
                sym(agent, "pod-crashloop"),
                sym(ref("Node", None, "k3s3"), "cni-agent-not-ready"),
            )
        ],
    )


def node_firewall_blocks_overlay() -> tuple[Lab, Expected]:
    g = lab("node-firewall-blocks-overlay")
    since = g_ago(hours=4, minutes=26)
    _postgres(g, pods=[{"node": "k3s3", "mode": "running"}])
    db_ip = find(g, "Service", "postgres", "databases")["spec"]["clusterIP"]
    timeout = f"dial tcp {db_ip}:5432: i/o timeout"
    crashing = []
    for name, image, port, line in (
        (
            "paperless",
            "ghcr.io/paperless-ngx/paperless-ngx:2.16.3",
            8000,
            f"django.db.utils.OperationalError: could not connect to server: {timeout}",
        ),
        (
            "vikunja",
            "docker.io/vikunja/vikunja:0.24.6",
            3456,
            f'level=CRITICAL msg="Migration failed: {timeout}"',
        ),
    ):
        app(
            g,
            name,
            image,
            port,
            ns="home",
            node="k3s1",
            pods=[
                {
                    "node": "k3s1",
                    "mode": "crash",
                    "crash_since": since,
                    "created": plus(since, minutes=-3),
                    "crash": {name: crash(g, line, 51)},
                }
            ],
        )
        pod = the_pod(g, "home", f"{name}-")
        backoff_event(g, pod, name, 530, since)
        crashing.append((name, pod))
    app(g, "mealie", "ghcr.io/mealie-recipes/mealie:v2.8.0", 9000, ns="home", node="k3s2")
    return g, expected(
        "After an OS upgrade enabled a host firewall on k3s1 (VXLAN port 8472/udp dropped), two unrelated apps on "
        "k3s1 time out connecting to the database whose pod runs on k3s3, while an app on k3s2 uses the same "
        "database fine and k3s1 stays Ready. One node's network is the cause, not two applications.",
        ["https://github.com/k3s-io/k3s/issues/6507", "https://github.com/k3s-io/k3s/issues/1719"],
        [
            cause(
                ref("Node", None, "k3s1"),
                "network",
                [x for _, pod in crashing for x in sym(pod, "pod-crashloop")],
                [
                    x
                    for name, _ in crashing
                    for x in sym(ref("Deployment", "home", name), "workload-replicas-unavailable")
                ],
                [
                    x
                    for name, _ in crashing
                    for x in sym(ref("HTTPRoute", "home", name), "route-backend-unavailable")
                ],
            )
        ],
    )


def traefik_middleware_wrong_namespace() -> tuple[Lab, Expected]:
    g = lab("traefik-middleware-wrong-namespace", traefik=True)
    created = plus(CLUSTER_BORN, days=12)
    g.cr(
        "networking.yaml",
        "traefik.io/v1alpha1",
        "Middleware",
        "authelia",
        "networking",
        created=created,
        spec={
            "forwardAuth": {
                "address": "http://authelia.networking.svc.cluster.local/api/authz/forward-auth",
                "trustForwardHeader": True,
                "authResponseHeaders": ["Remote-User", "Remote-Groups", "Remote-Email"],
            }
        },
    )
    app(
        g,
        "bookstack",
        "lscr.io/linuxserver/bookstack:25.05.20250603",
        80,
        ns="docs",
        node="k3s2",
        route=False,
    )
    g.cr(
        "apps-docs.yaml",
        "networking.k8s.io/v1",
        "Ingress",
        "bookstack",
        "docs",
        created=g.ago(hours=6, minutes=3),
        annotations={
            "traefik.ingress.kubernetes.io/router.entrypoints": "websecure",
            # the Middleware lives in networking: Traefik looks for docs-authelia and 404s
            "traefik.ingress.kubernetes.io/router.middlewares": "docs-authelia@kubernetescrd",
        },
        spec={
            "ingressClassName": "traefik",
            "rules": [
                {
                    "host": "wiki.fletcherlabs.net",
                    "http": {
                        "paths": [
                            {
                                "path": "/",
                                "pathType": "Prefix",
                                "backend": {"service": {"name": "bookstack", "port": {"number": 80}}},
                            }
                        ]
                    },
                }
            ],
        },
        status={"loadBalancer": {"ingress": [{"ip": "192.168.10.60"}]}},
    )
    return g, expected(
        "An Ingress moved to Traefik names its forward-auth Middleware as 'docs-authelia@kubernetescrd' - the "
        "namespace prefix of its own namespace - while the Middleware lives in 'networking'. Traefik logs "
        "'middleware \"docs-authelia@kubernetescrd\" does not exist' and answers 404 for the host although the app, "
        "its Service and its pods are healthy. The Ingress holding the wrong reference is what to fix.",
        ["https://github.com/traefik/traefik/issues/5480", "https://github.com/traefik/traefik/issues/8543"],
        [cause(ref("Ingress", "docs", "bookstack"), "network")],
    )


def backup_cronjob_failing_only() -> tuple[Lab, Expected]:
    g = lab("backup-cronjob-failing-only")
    last_run = g_ago(hours=9, minutes=0, seconds=0)
    cronjob(
        g,
        "home",
        "paperless-backup",
        "docker.io/restic/restic:0.18.0",
        schedule="0 3 * * *",
        failed_msg="Fatal: unable to open config file: Stat: The specified bucket does not exist.\n"
        "Is there a repository at the following location?\ns3:https://s3.eu-central-003.backblazeb2.com/"
        "fletcherlabs-paperless",
        node="k3s2",
        created=plus(CLUSTER_BORN, days=20),
        last_run=last_run,
        last_success=plus(last_run, days=-6),
    )
    app(g, "paperless", "ghcr.io/paperless-ngx/paperless-ngx:2.16.3", 8000, ns="home", node="k3s2")
    return g, expected(
        "The nightly restic backup of Paperless fails (its bucket was deleted) and has not succeeded for six days; "
        "everything else runs. The only failure is a warning-level one, yet it is what the operator must act on: "
        "the CronJob is reported as the (warning) cause rather than no cause at all.",
        [
            "https://github.com/kubermatic/dashboard/issues/6336",
            "https://github.com/pieterlange/kube-backup/issues/71",
        ],
        [cause(ref("CronJob", "home", "paperless-backup"), "workload")],
    )


def cainjector_down_stale_ca_bundle() -> tuple[Lab, Expected]:
    g = lab("cainjector-down-stale-ca-bundle")
    flux_base(g)
    p.cert_manager(g, controllers=True)
    since = g_ago(days=2, hours=5)
    dep = find(g, "Deployment", "cert-manager-cainjector", "cert-manager")
    pod = the_pod(g, "cert-manager", "cert-manager-cainjector-")
    crashify(g, pod, "cert-manager-cainjector", "", 391, since, exit_code=137, reason="OOMKilled")
    workload_down(dep, since)
    g.cr(
        "cert-manager.yaml",
        "admissionregistration.k8s.io/v1",
        "ValidatingWebhookConfiguration",
        "cert-manager-webhook",
        None,
        created=plus(CLUSTER_BORN, days=22),
        helm=("cert-manager", "cert-manager"),
        annotations={"cert-manager.io/inject-ca-from-secret": "cert-manager/cert-manager-webhook-ca"},
        extra={
            "webhooks": [
                {
                    "admissionReviewVersions": ["v1"],
                    "failurePolicy": "Fail",
                    "matchPolicy": "Equivalent",
                    "name": "webhook.cert-manager.io",
                    "sideEffects": "None",
                    "timeoutSeconds": 30,
                    "clientConfig": {
                        "caBundle": b64("-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----\n"),
                        "service": {
                            "name": "cert-manager-webhook",
                            "namespace": "cert-manager",
                            "path": "/validate",
                            "port": 443,
                        },
                    },
                    "namespaceSelector": {
                        "matchExpressions": [
                            {
                                "key": "cert-manager.io/disable-validation",
                                "operator": "NotIn",
                                "values": ["true"],
                            }
                        ]
                    },
                    "rules": [
                        {
                            "apiGroups": ["cert-manager.io", "acme.cert-manager.io"],
                            "apiVersions": ["v1"],
                            "operations": ["CREATE", "UPDATE"],
                            "resources": ["*/*"],
                            "scope": "*",
                        }
                    ],
                }
            ]
        },
    )
    ks = find(g, "Kustomization", "infrastructure", "flux-system")
    ks["status"]["conditions"] = [
        Lab.cond(
            "Ready",
            "False",
            "ReconciliationFailed",
            "Certificate/networking/wildcard-fletcherlabs dry-run failed: Internal error occurred: failed calling webhook "
            '"webhook.cert-manager.io": failed to call webhook: Post "https://cert-manager-webhook.cert-manager.svc:443/'
            'validate?timeout=30s": tls: failed to verify certificate: x509: certificate signed by unknown authority',
            g.ago(minutes=7),
        )
    ]
    s.media_app(g, "sonarr", "k3s2", 8989)
    return g, expected(
        "cert-manager's cainjector is OOMKilled at every start, so after the webhook's serving CA rotated nobody "
        "wrote the new CA into the ValidatingWebhookConfiguration's caBundle (annotation "
        "cert-manager.io/inject-ca-from-secret). The API server no longer trusts the webhook ('x509: certificate "
        "signed by unknown authority') and Flux cannot apply any cert-manager object. The cainjector Deployment is "
        "the cause; the webhook and the Kustomization are its symptoms.",
        [
            "https://github.com/cert-manager/cert-manager/issues/3338",
            "https://github.com/keptn/lifecycle-toolkit/issues/454",
        ],
        [
            cause(
                ref("Deployment", "cert-manager", "cert-manager-cainjector"),
                "workload",
                sym(pod, "pod-crashloop"),
                sym(ref("Kustomization", "flux-system", "infrastructure"), "flux-not-ready"),
            )
        ],
    )


SCENARIOS: dict[str, Callable[[], tuple[Lab, Expected]]] = {
    "cainjector-down-stale-ca-bundle": cainjector_down_stale_ca_bundle,
    "backup-cronjob-failing-only": backup_cronjob_failing_only,
    "traefik-middleware-wrong-namespace": traefik_middleware_wrong_namespace,
    "node-firewall-blocks-overlay": node_firewall_blocks_overlay,
    "quota-blocks-statefulset": quota_blocks_statefulset,
    "flux-wait-statefulset-crash": flux_wait_statefulset_crash,
    "cilium-agent-crash-ready-node": cilium_agent_crash_ready_node,
}
__all__ = ["EV", "SCENARIOS"]
