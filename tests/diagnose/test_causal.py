"""Causal ranking end to end (real checks → diagnosis) on small incidents outside the catalogue of rules."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from homelabctl.analysis import analyze
from homelabctl.diagnose import all_cause_rules
from homelabctl.diagnose.engine import impact
from homelabctl.model import ObjectRef
from homelabctl.report.build import validate_report

from factories import container_status, deployment, event, meta, node, owner_ref, pod, state, ts


def _rs(dep: dict[str, Any], suffix: str = "7d9f8b6c5d") -> dict[str, Any]:
    name = dep["metadata"]["name"]
    ns = dep["metadata"]["namespace"]
    labels = dep["spec"]["selector"]["matchLabels"]
    return {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": {
            **meta(f"{name}-{suffix}", ns, kind="ReplicaSet", labels=labels),
            "ownerReferences": [owner_ref(dep)],
        },
        "spec": {"replicas": dep["spec"]["replicas"], "selector": {"matchLabels": labels}},
        "status": {"replicas": dep["spec"]["replicas"]},
    }


def _service(name: str, ns: str, selector: dict[str, str], ip: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": meta(name, ns, kind="Service", labels=selector),
        "spec": {
            "type": "ClusterIP",
            "clusterIP": ip,
            "clusterIPs": [ip],
            "selector": selector,
            "ports": [{"name": "http", "port": 80, "protocol": "TCP", "targetPort": 8080}],
        },
    }


def _slice(svc: str, ns: str, pods: list[tuple[str, bool]]) -> dict[str, Any]:
    return {
        "apiVersion": "discovery.k8s.io/v1",
        "kind": "EndpointSlice",
        "addressType": "IPv4",
        "metadata": meta(
            f"{svc}-x7k2p",
            ns,
            kind="EndpointSlice",
            labels={
                "kubernetes.io/service-name": svc,
                "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
            },
        ),
        "endpoints": [
            {
                "addresses": [f"10.42.0.{i + 10}"],
                "conditions": {"ready": ready, "serving": ready},
                "targetRef": {"kind": "Pod", "namespace": ns, "name": name},
            }
            for i, (name, ready) in enumerate(pods)
        ],
        "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}],
    }


def _crashing(
    name: str, ns: str, rs: dict[str, Any], labels: dict[str, str], message: str, image: str
) -> dict[str, Any]:
    return pod(
        name,
        ns,
        owner=rs,
        labels=labels,
        containers=[{"name": "main", "image": image}],
        statuses=[
            container_status(
                "main",
                image,
                state="waiting",
                reason="CrashLoopBackOff",
                ready=False,
                restarts=31,
                message="back-off 5m0s restarting failed container",
                last_terminated={"message": message},
            )
        ],
    )


def _root_causes(objs: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    report = analyze(state(objs)).report
    validate_report(report)
    return report["root_causes"], {f["id"]: f for f in report["findings"]}


def _ref(obj: dict[str, Any]) -> tuple[str, str | None, str]:
    return (obj["kind"], obj.get("namespace"), obj["name"])


def test_dns_down_is_upstream_of_the_git_source_that_cannot_resolve() -> None:
    """https://github.com/k3s-io/k3s/issues/4087 (CoreDNS loop) with Flux failing to resolve github.com."""
    labels = {"k8s-app": "kube-dns"}
    coredns = deployment("coredns", "kube-system", replicas=1, ready=0, labels=labels)
    rs = _rs(coredns)
    dns_pod = _crashing(
        "coredns-7d9f8b6c5d-q8j2m",
        "kube-system",
        rs,
        labels,
        '[FATAL] plugin/loop: Loop (127.0.0.1:52470 -> :53) detected for zone ".", see '
        "https://coredns.io/plugins/loop#troubleshooting",
        "rancher/mirrored-coredns-coredns:1.12.1",
    )
    repo = {
        "apiVersion": "source.toolkit.fluxcd.io/v1",
        "kind": "GitRepository",
        "metadata": meta("flux-system", "flux-system", kind="GitRepository"),
        "spec": {
            "url": "ssh://git@github.com/fletcherlabs/home-ops",
            "interval": "1m",
            "ref": {"branch": "main"},
        },
        "status": {
            "conditions": [
                {
                    "type": "Ready",
                    "status": "False",
                    "reason": "GitOperationFailed",
                    "lastTransitionTime": ts(timedelta(hours=1)),
                    "message": "failed to checkout and determine revision: unable to clone "
                    "'ssh://git@github.com/fletcherlabs/home-ops': dial tcp: lookup "
                    "github.com on 10.43.0.10:53: read udp 10.42.0.31:40613->"
                    "10.43.0.10:53: i/o timeout",
                }
            ]
        },
    }
    objs = [
        node("k3s-master1", control_plane=True),
        node("k3s2"),
        coredns,
        rs,
        dns_pod,
        _service("kube-dns", "kube-system", labels, "10.43.0.10"),
        _slice("kube-dns", "kube-system", [("coredns-7d9f8b6c5d-q8j2m", False)]),
        repo,
    ]
    causes, by_id = _root_causes(objs)
    top = causes[0]
    assert _ref(top["object"]) == ("Deployment", "kube-system", "coredns")
    grouped = {_ref(by_id[s]["object"]) for s in top["symptoms"]}
    assert ("GitRepository", "flux-system", "flux-system") in grouped
    assert [c for c in causes if _ref(c["object"]) == ("GitRepository", "flux-system", "flux-system")] == []
    hops = [(link["edge"], link["provenance"]) for link in top["chain"]]
    assert any(edge == "mentions" and "10.43.0.10:53" in why for edge, why in hops)


def test_route_to_a_crashing_auth_proxy_is_grouped_under_its_deployment() -> None:
    labels = {"app.kubernetes.io/name": "oauth2-proxy"}
    dep = deployment("oauth2-proxy", "networking", ready=0, labels=labels)
    rs = _rs(dep)
    crash = _crashing(
        "oauth2-proxy-7d9f8b6c5d-abcde",
        "networking",
        rs,
        labels,
        "cookie_secret must be 16, 24, or 32 bytes to create an AES cipher, but is 44 bytes",
        "quay.io/oauth2-proxy/oauth2-proxy:v7.7.1",
    )
    route = {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "HTTPRoute",
        "metadata": meta("auth", "networking", kind="HTTPRoute"),
        "spec": {
            "hostnames": ["auth.fletcherlabs.net"],
            "parentRefs": [{"name": "main"}],
            "rules": [{"backendRefs": [{"name": "oauth2-proxy", "port": 80}]}],
        },
        "status": {
            "parents": [
                {
                    "parentRef": {"name": "main"},
                    "controllerName": "io.cilium/gateway-controller",
                    "conditions": [
                        {"type": "Accepted", "status": "True", "reason": "Accepted"},
                        {"type": "ResolvedRefs", "status": "True", "reason": "ResolvedRefs"},
                    ],
                }
            ]
        },
    }
    objs = [
        node("k3s2"),
        dep,
        rs,
        crash,
        route,
        _service("oauth2-proxy", "networking", labels, "10.43.8.8"),
        _slice("oauth2-proxy", "networking", [("oauth2-proxy-7d9f8b6c5d-abcde", False)]),
    ]
    causes, by_id = _root_causes(objs)
    assert _ref(causes[0]["object"]) == ("Deployment", "networking", "oauth2-proxy")
    grouped = {(by_id[s]["check"], _ref(by_id[s]["object"])) for s in causes[0]["symptoms"]}
    assert ("route-backend-unavailable", ("HTTPRoute", "networking", "auth")) in grouped
    assert len(causes) == 1


def test_one_registry_rate_limit_on_three_nodes_is_one_cause() -> None:
    objs: list[dict[str, Any]] = [node("k3s1"), node("k3s2"), node("k3s3")]
    message = (
        'failed to pull and unpack image "docker.io/library/redis:7.4": failed to copy: httpReadSeeker: '
        "failed open: unexpected status code https://registry-1.docker.io/v2/library/redis/manifests/"
        "sha256:1a2b: 429 Too Many Requests - Server message: toomanyrequests: You have reached your pull "
        "rate limit. You may increase the limit by authenticating and upgrading: https://www.docker.com/increase-rate-limit"
    )
    for i, ns in enumerate(("paperless", "immich", "authentik")):
        labels = {"app.kubernetes.io/name": "redis"}
        dep = deployment("redis", ns, ready=0, labels=labels)
        rs = _rs(dep)
        p = pod(
            f"redis-7d9f8b6c5d-{i}x",
            ns,
            node_name=f"k3s{i + 1}",
            owner=rs,
            labels=labels,
            containers=[{"name": "redis", "image": "redis:7.4"}],
            statuses=[
                container_status(
                    "redis",
                    "redis:7.4",
                    state="waiting",
                    reason="ImagePullBackOff",
                    ready=False,
                    message='Back-off pulling image "redis:7.4"',
                )
            ],
        )
        objs += [dep, rs, p, event(p, "Failed", f'Failed to pull image "redis:7.4": {message}')]
    causes, by_id = _root_causes(objs)
    registry = [c for c in causes if c["object"]["kind"] == "ExternalHost"]
    assert [_ref(c["object"]) for c in registry] == [("ExternalHost", None, "docker.io")]
    grouped = {_ref(by_id[s]["object"]) for s in registry[0]["symptoms"]}
    assert {("Deployment", ns, "redis") for ns in ("paperless", "immich", "authentik")} <= grouped
    assert causes[0] is registry[0]


def test_an_exporter_never_outranks_an_app_that_cannot_start() -> None:
    labels = {"app.kubernetes.io/name": "smartctl-exporter"}
    exporter = deployment("smartctl-exporter", "monitoring", ready=0, labels=labels)
    ex_rs = _rs(exporter)
    ex_pod = _crashing(
        "smartctl-exporter-7d9f8b6c5d-zz",
        "monitoring",
        ex_rs,
        labels,
        "open /dev/sda: permission denied",
        "quay.io/prometheuscommunity/smartctl-exporter:v0.13.0",
    )
    app_labels = {"app.kubernetes.io/name": "immich-server"}
    app = deployment("immich-server", "immich", ready=0, labels=app_labels)
    app_rs = _rs(app)
    app_pod = _crashing(
        "immich-server-7d9f8b6c5d-aa",
        "immich",
        app_rs,
        app_labels,
        "Error: connect ECONNREFUSED 10.43.99.1:5432",
        "ghcr.io/immich-app/immich-server:v1.132.3",
    )
    causes, _ = _root_causes([node("k3s2"), exporter, ex_rs, ex_pod, app, app_rs, app_pod])
    order = [_ref(c["object"]) for c in causes]
    assert order.index(("Deployment", "immich", "immich-server")) < order.index(
        ("Deployment", "monitoring", "smartctl-exporter")
    )


def test_two_unrelated_crashes_stay_two_causes() -> None:
    objs: list[dict[str, Any]] = [node("k3s2")]
    for name in ("sonarr", "radarr"):
        labels = {"app.kubernetes.io/name": name}
        dep = deployment(name, "media", ready=0, labels=labels)
        rs = _rs(dep)
        objs += [
            dep,
            rs,
            _crashing(
                f"{name}-7d9f8b6c5d-1",
                "media",
                rs,
                labels,
                "database disk image is malformed",
                f"ghcr.io/home-operations/{name}:4.0",
            ),
        ]
    causes, _ = _root_causes(objs)
    assert sorted(_ref(c["object"]) for c in causes) == [
        ("Deployment", "media", "radarr"),
        ("Deployment", "media", "sonarr"),
    ]


def test_impact_levels() -> None:
    from homelabctl.diagnose.model import RootCause
    from homelabctl.model import Finding, Layer, Severity

    def rc(kind: str, ns: str | None, name: str) -> RootCause:
        return RootCause(
            Finding("x", Layer.WORKLOAD, Severity.CRITICAL, ObjectRef(kind, ns, name), "m"), "r", "s"
        )

    assert impact(rc("Deployment", "media", "sonarr")) == 3
    assert impact(rc("PersistentVolumeClaim", "media", "config")) == 2
    assert impact(rc("Deployment", "kube-system", "coredns")) == 1
    assert impact(rc("DaemonSet", "monitoring", "node-exporter")) == 0


def test_every_cause_rule_is_documented_and_one_file_each() -> None:
    rules = all_cause_rules()
    assert len({r.id for r in rules}) == len(rules) >= 20
    for spec in rules:
        assert spec.doc and spec.title
        module = spec.func.__module__
        assert module.startswith("homelabctl.diagnose.rules.")
        assert module.rsplit(".", 1)[1] == spec.func.__name__


def test_a_route_without_endpoints_is_not_a_symptom_of_its_gateway() -> None:
    """The Gateway reaches every route attached to it, but only an emptied backend explains 'no ready endpoint'."""
    from homelabctl.diagnose.context import RuleContext
    from homelabctl.diagnose.engine import _symptoms
    from homelabctl.diagnose.graph import DependencyGraph
    from homelabctl.diagnose.rules.failure_propagates import failure_propagates
    from homelabctl.model import Finding, Layer, Severity

    gateway = {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "Gateway",
        "metadata": meta("main", "networking", kind="Gateway"),
        "spec": {
            "gatewayClassName": "cilium",
            "listeners": [{"name": "https", "port": 443, "protocol": "HTTPS"}],
        },
    }
    route = {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "HTTPRoute",
        "metadata": meta("bazarr", "media", kind="HTTPRoute"),
        "spec": {
            "parentRefs": [{"name": "main", "namespace": "networking"}],
            "rules": [{"backendRefs": [{"name": "bazarr", "port": 80}]}],
        },
    }
    st = state([gateway, route, _service("bazarr", "media", {"app": "bazarr"}, "10.43.5.5")])
    route_ref, gw_ref = ObjectRef("HTTPRoute", "media", "bazarr"), ObjectRef("Gateway", "networking", "main")
    cause = Finding(
        "gateway-not-accepted",
        Layer.PLATFORM,
        Severity.CRITICAL,
        gw_ref,
        "listener https: InvalidCertificateRef",
    )
    backend = Finding(
        "route-backend-unavailable", Layer.NETWORK, Severity.CRITICAL, route_ref, "no ready endpoint"
    )
    not_accepted = Finding(
        "httproute-not-accepted", Layer.PLATFORM, Severity.CRITICAL, route_ref, "not accepted"
    )
    ctx = RuleContext(st, DependencyGraph(st), [cause, backend, not_accepted])
    explanation = failure_propagates(ctx, cause)
    assert explanation is not None
    reach = ctx.reach(cause)
    assert route_ref in reach
    assert _symptoms(ctx, cause, explanation, reach) == [not_accepted]
