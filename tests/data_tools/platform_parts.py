"""Platform components of the homelab: Flux, cert-manager + Gateway API, Velero, monitoring, auth proxies,
the GPU stack, and the media / AI apps. Builders for :class:`homelab.Lab`, like ``components``."""

from __future__ import annotations

import random
import string
from typing import Any, cast

from homelab import CLUSTER_BORN, DOMAIN, GW_IP, GW_NAME, GW_NS, Lab
from k8sgen import FLUX_NS, b64, plus

GIT_REV = "5e2c9d41b8a07f3c6d1e29ab4470c1f8e9d3a6b2"
GIT_REV_OLD = "a17be03c94d25f6e8b1c0d9f3e4a5b6c7d8e9f01"
REPO_URL = "ssh://git@github.com/sudoflux/flux-k3s"
GPU_SELECTOR = {"nvidia.com/gpu.present": "true"}
OAUTH2_IMAGE = "quay.io/oauth2-proxy/oauth2-proxy:v7.6.0"


def secret_text(marker: int, n: int, seed: str = "") -> str:
    """A fake secret value of exactly ``n`` characters carrying the grep-able test marker."""
    rng = random.Random(f"{seed}{marker}{n}")
    head = f"HOMELABCTL_TEST_SECRET_{marker}_"
    if n < len(head) + 4:
        raise ValueError(f"a {n}-character secret cannot carry the marker {head!r}")
    body = "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(n - len(head)))
    return head + body


# ---------------------------------------------------------------------------------- Flux
def flux_controllers(g: Lab) -> None:
    f = "flux.yaml"
    created = plus(CLUSTER_BORN, minutes=40)
    for ctrl, ver in (
        ("source-controller", "v1.5.0"),
        ("kustomize-controller", "v1.5.1"),
        ("helm-controller", "v1.2.0"),
        ("notification-controller", "v1.5.0"),
    ):
        labels = {
            "app": ctrl,
            "app.kubernetes.io/component": ctrl,
            "app.kubernetes.io/instance": FLUX_NS,
            "app.kubernetes.io/part-of": "flux",
            "app.kubernetes.io/version": "v2.5.1",
            "control-plane": "controller",
        }
        g.deployment(
            f,
            FLUX_NS,
            ctrl,
            created=created,
            selector={"app": ctrl},
            labels=labels,
            tpl_labels={"app": ctrl},
            ks="flux-system",
            sa=ctrl,
            tpl_annotations={"prometheus.io/port": "8080", "prometheus.io/scrape": "true"},
            spec={
                "containers": [
                    {
                        "name": "manager",
                        "image": f"ghcr.io/fluxcd/{ctrl}:{ver}",
                        "args": [
                            "--events-addr=http://notification-controller.flux-system.svc.cluster.local./",
                            "--watch-all-namespaces=true",
                            "--log-level=info",
                            "--log-encoding=json",
                            "--enable-leader-election",
                        ],
                        "ports": [
                            {"containerPort": 8080, "name": "http-prom"},
                            {"containerPort": 9440, "name": "healthz"},
                        ],
                        "readinessProbe": {"httpGet": {"path": "/readyz", "port": "healthz"}},
                        "resources": {
                            "limits": {"cpu": "1000m", "memory": "1Gi"},
                            "requests": {"cpu": "100m", "memory": "64Mi"},
                        },
                    }
                ],
                "nodeSelector": {"kubernetes.io/os": "linux"},
                "priorityClassName": "system-cluster-critical",
                "securityContext": {"fsGroup": 1337},
            },
            pods=[{"node": "k3s-master1", "created": "2025-06-12T21:33:10Z"}],
            rs_created="2025-06-12T21:33:09Z",
        )


def flux_sources(g: Lab, repos: dict[str, str] | None = None) -> None:
    created = plus(CLUSTER_BORN, minutes=41)
    g.git_repository(
        "flux-system", created=created, url=REPO_URL, revision=GIT_REV, fetched=g.ago(minutes=47)
    )
    for name, url in (repos or {}).items():
        g.helm_repository(
            name,
            url,
            created=plus(created, minutes=5),
            fetched=g.ago(hours=g.rng.randint(2, 40)),
            oci=url.startswith("oci://"),
        )


FLUX_REPOS = {
    "longhorn": "https://charts.longhorn.io",
    "jetstack": "https://charts.jetstack.io",
    "prometheus-community": "https://prometheus-community.github.io/helm-charts",
    "grafana": "https://grafana.github.io/helm-charts",
    "vmware-tanzu": "https://vmware-tanzu.github.io/helm-charts",
    "authentik": "https://charts.goauthentik.io",
    "oauth2-proxy": "https://oauth2-proxy.github.io/manifests",
    "nvidia": "https://nvidia.github.io/k8s-device-plugin",
}


# ---------------------------------------------------------------------------------- cert-manager + Gateway
def cert_manager(
    g: Lab, *, wildcard: bool = True, http01_only: bool = True, controllers: bool = True
) -> None:
    f = "cert-manager.yaml"
    ns = "cert-manager"
    created = plus(CLUSTER_BORN, days=22)
    helm = ("cert-manager", ns)
    g.helm_release(
        "cert-manager",
        ns,
        "cert-manager",
        "v1.15.1",
        "jetstack",
        created=created,
        ks="infrastructure",
        values={"crds": {"enabled": True}, "extraArgs": ["--enable-gateway-api"]},
        app_version="v1.15.1",
    )
    for comp, image in (
        ("cert-manager", "controller"),
        ("cert-manager-webhook", "webhook"),
        ("cert-manager-cainjector", "cainjector"),
    )[: 3 if controllers else 0]:
        app = comp.replace("cert-manager-", "") if comp != "cert-manager" else "cert-manager"
        sel = {
            "app.kubernetes.io/component": {"cert-manager": "controller"}.get(comp, app),
            "app.kubernetes.io/instance": "cert-manager",
            "app.kubernetes.io/name": app,
        }
        g.deployment(
            f,
            ns,
            comp,
            created=created,
            selector=sel,
            helm=helm,
            sa=comp,
            spec={
                "containers": [
                    {
                        "name": f"cert-manager-{image}",
                        "image": f"quay.io/jetstack/cert-manager-{image}:v1.15.1",
                        "args": ["--v=2", "--cluster-resource-namespace=$(POD_NAMESPACE)"]
                        + (["--enable-gateway-api"] if comp == "cert-manager" else []),
                        "env": [
                            {
                                "name": "POD_NAMESPACE",
                                "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}},
                            }
                        ],
                    }
                ],
                "serviceAccountName": comp,
                "nodeSelector": {"kubernetes.io/os": "linux"},
            },
            pods=[{"node": "k3s2", "created": plus(created, minutes=1)}],
        )
    solvers: list[dict[str, Any]] = [
        {
            "http01": {
                "gatewayHTTPRoute": {
                    "parentRefs": [
                        {
                            "group": "gateway.networking.k8s.io",
                            "kind": "Gateway",
                            "name": GW_NAME,
                            "namespace": GW_NS,
                            "sectionName": "http",
                        }
                    ]
                }
            }
        }
    ]
    if not http01_only:
        solvers.insert(
            0,
            {
                "dns01": {
                    "cloudflare": {"apiTokenSecretRef": {"key": "api-token", "name": "cloudflare-api-token"}}
                },
                "selector": {"dnsZones": [DOMAIN]},
            },
        )
    at = plus(created, minutes=5)
    g.cr(
        f,
        "cert-manager.io/v1",
        "ClusterIssuer",
        "letsencrypt-prod",
        None,
        created=at,
        ks="infrastructure",
        spec={
            "acme": {
                "email": "josh@fletcherlabs.net",
                "privateKeySecretRef": {"name": "letsencrypt-prod"},
                "server": "https://acme-v02.api.letsencrypt.org/directory",
                "solvers": solvers,
            }
        },
        status={
            "acme": {
                "lastPrivateKeyHash": "nnK7bdS7BRzjAh6p4vkqGqm4pNHvkUH1yYVu3dQY7Mg=",
                "lastRegisteredEmail": "josh@fletcherlabs.net",
                "uri": "https://acme-v02.api.letsencrypt.org/acme/acct/2184471406",
            },
            "conditions": [
                g.cond(
                    "Ready",
                    "True",
                    "ACMEAccountRegistered",
                    "The ACME account was registered with the ACME server",
                    at,
                )
            ],
        },
    )
    if not http01_only:
        g.secret(
            f, ns, "cloudflare-api-token", {"api-token": secret_text(21, 40)}, created=at, ks="infrastructure"
        )


def certificate(
    g: Lab,
    ns: str,
    name: str,
    names: list[str],
    *,
    created: str,
    secret: str,
    state: str,
    not_after: str | None = None,
    ks: str = "infrastructure",
    file: str = "cert-manager.yaml",
    failure: str | None = None,
) -> dict[str, Any]:
    """state: ready | expiring (ready, renewal failing) | failed (never issued)."""
    spec = {
        "dnsNames": names,
        "issuerRef": {"group": "cert-manager.io", "kind": "ClusterIssuer", "name": "letsencrypt-prod"},
        "privateKey": {"algorithm": "ECDSA", "rotationPolicy": "Always", "size": 256},
        "secretName": secret,
    }
    status: dict[str, Any]
    if state == "failed":
        last_fail = g.ago(minutes=38)
        status = {
            "conditions": [
                g.cond(
                    "Ready",
                    "False",
                    "DoesNotExist",
                    "Issuing certificate as Secret does not exist",
                    plus(created, seconds=1),
                ),
                g.cond("Issuing", "False", "Failed", failure or "", last_fail),
            ],
            "failedIssuanceAttempts": 9,
            "lastFailureTime": last_fail,
        }
    else:
        assert not_after
        from k8sgen import parse

        issued = plus(not_after, days=-90)
        renew = plus(not_after, days=-30)
        conds = [g.cond("Ready", "True", "Ready", "Certificate is up to date and has not expired", issued)]
        status = {
            "conditions": conds,
            "notAfter": not_after,
            "notBefore": issued,
            "renewalTime": renew,
            "revision": 1,
        }
        if state == "expiring" and parse(renew) < parse(g.now):
            last_fail = g.ago(hours=5, minutes=12)
            conds.append(
                g.cond(
                    "Issuing",
                    "True",
                    "Renewing",
                    "Renewing certificate as renewal was scheduled at "
                    + renew.replace("T", " ").replace("Z", " +0000 UTC"),
                    renew,
                )
            )
            status["failedIssuanceAttempts"] = 6
            status["lastFailureTime"] = last_fail
        g.secret(
            file,
            ns,
            secret,
            {
                "tls.crt": "-----BEGIN CERTIFICATE-----\nMIIB" + "A" * 60 + "\n-----END CERTIFICATE-----\n",
                "tls.key": f"-----BEGIN EC PRIVATE KEY-----\n{secret_text(30 + len(name) % 7, 64, name)}\n-----END EC PRIVATE KEY-----\n",
            },
            created=issued,
            type_="kubernetes.io/tls",
            annotations={
                "cert-manager.io/alt-names": ",".join(names),
                "cert-manager.io/certificate-name": name,
                "cert-manager.io/common-name": names[0],
                "cert-manager.io/ip-sans": "",
                "cert-manager.io/issuer-group": "cert-manager.io",
                "cert-manager.io/issuer-kind": "ClusterIssuer",
                "cert-manager.io/issuer-name": "letsencrypt-prod",
                "cert-manager.io/uri-sans": "",
            },
            labels={"controller.cert-manager.io/fao": "true"},
        )
    return cast(
        "dict[str, Any]",
        g.cr(
            file,
            "cert-manager.io/v1",
            "Certificate",
            name,
            ns,
            created=created,
            ks=ks,
            spec=spec,
            status=status,
        ),
    )


def certificate_request(
    g: Lab,
    cert: dict[str, Any],
    revision: int,
    key_secret: str,
    *,
    created: str,
    ready: tuple[str, str, str],
    csr_fill: str | None = None,
    requester: dict[str, Any] | None = None,
    issuer: str = "letsencrypt-prod",
    gen: int | None = 1,
    failed: bool = False,
) -> dict[str, Any]:
    """cert-manager's CertificateRequest for revision ``revision`` of ``cert``: approved at ``created``, Ready
    False with ``ready`` (reason, message, since); ``failed`` adds the failureTime cert-manager sets then.
    ``csr_fill``: a CSR of that letter (else an empty one); ``requester``: the ``extra`` the API server records
    of cert-manager's service account, with its groups and username."""
    name = cert["metadata"]["name"]
    reason, message, at = ready
    spec: dict[str, Any] = {}
    if requester is not None:
        spec["extra"] = requester
        spec["groups"] = [
            "system:serviceaccounts",
            "system:serviceaccounts:cert-manager",
            "system:authenticated",
        ]
    spec["issuerRef"] = {"group": "cert-manager.io", "kind": "ClusterIssuer", "name": issuer}
    spec["request"] = (
        b64(
            "-----BEGIN CERTIFICATE REQUEST-----\nMIIB"
            + csr_fill * 40
            + "\n-----END CERTIFICATE REQUEST-----\n"
        )
        if csr_fill
        else "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURSBSRVFVRVNULS0tLS0K"
    )
    spec["usages"] = ["digital signature", "key encipherment"]
    if requester is not None:
        spec["username"] = "system:serviceaccount:cert-manager:cert-manager"
    approved = "Certificate request has been approved by cert-manager.io"
    status: dict[str, Any] = {
        "conditions": [
            g.cond("Approved", "True", "cert-manager.io", approved, created, gen=gen),
            g.cond("Ready", "False", reason, message, at, gen=gen),
        ]
    }
    if failed:
        status["failureTime"] = at
    req = g.cr(
        "cert-manager.yaml",
        "cert-manager.io/v1",
        "CertificateRequest",
        f"{name}-{revision}",
        cert["metadata"]["namespace"],
        created=created,
        owner=cert,
        annotations={
            "cert-manager.io/certificate-name": name,
            "cert-manager.io/certificate-revision": str(revision),
            "cert-manager.io/private-key-secret-name": key_secret,
        },
        spec=spec,
        status=status,
    )
    return cast("dict[str, Any]", req)


def wildcard_order(g: Lab, cert: dict[str, Any], *, created: str) -> None:
    """The CertificateRequest and ACME Order of a wildcard certificate on an HTTP-01-only issuer."""
    f = "cert-manager.yaml"
    ns = cert["metadata"]["namespace"]
    name = cert["metadata"]["name"]
    cr_name = f"{name}-1"
    order_name = f"{cr_name}-{g.rng.randint(1_000_000_000, 4_294_967_295)}"
    msg = (
        "Failed to determine a valid solver configuration for the set of domains on the Order: "
        "no configured challenge solvers can be used for this challenge"
    )
    at = plus(created, seconds=3)
    req = certificate_request(
        g,
        cert,
        1,
        f"{name}-x7q2k",
        created=at,
        ready=(
            "Failed",
            f'Failed to wait for order resource "{order_name}" to become ready: order is in "errored" state: {msg}',
            plus(at, seconds=9),
        ),
        requester={"authentication.kubernetes.io/pod-name": ["cert-manager-6d5f8c7b9-wx2mn"]},
        gen=None,
        failed=True,
    )
    g.cr(
        f,
        "acme.cert-manager.io/v1",
        "Order",
        order_name,
        ns,
        created=plus(at, seconds=1),
        owner=req,
        annotations={
            "cert-manager.io/certificate-name": name,
            "cert-manager.io/certificate-revision": "1",
            "cert-manager.io/private-key-secret-name": f"{name}-x7q2k",
        },
        spec={
            "dnsNames": cert["spec"]["dnsNames"],
            "issuerRef": {"group": "cert-manager.io", "kind": "ClusterIssuer", "name": "letsencrypt-prod"},
            "request": "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURSBSRVFVRVNULS0tLS0K",
        },
        status={
            "authorizations": [
                {
                    "challenges": [
                        {
                            "token": g.hexs(43),
                            "type": "dns-01",
                            "url": f"https://acme-v02.api.letsencrypt.org/acme/chall/2184471406/{g.rng.randint(10**11, 10**12)}/Xk{g.sfx(4)}",
                        }
                    ],
                    "identifier": DOMAIN,
                    "initialState": "pending",
                    "url": f"https://acme-v02.api.letsencrypt.org/acme/authz/2184471406/{g.rng.randint(10**11, 10**12)}",
                    "wildcard": True,
                }
            ],
            "failureTime": plus(at, seconds=9),
            "finalizeURL": "https://acme-v02.api.letsencrypt.org/acme/finalize/2184471406/389911475221",
            "reason": msg,
            "state": "errored",
            "url": "https://acme-v02.api.letsencrypt.org/acme/order/2184471406/389911475221",
        },
    )
    if req:
        pass


def gateway(
    g: Lab, *, https_ok: bool, routes: int, extra_listeners: list[tuple[str, str, str]] | None = None
) -> dict[str, Any]:
    """Gateway main-gateway with http/https listeners; extra_listeners: (name, hostname, secret)."""
    f = "gateway.yaml"
    created = plus(CLUSTER_BORN, days=23)
    at = plus(created, seconds=4)
    g.cr(
        f,
        "gateway.networking.k8s.io/v1",
        "GatewayClass",
        "cilium",
        None,
        created=plus(CLUSTER_BORN, minutes=3),
        helm=("cilium", "kube-system"),
        spec={
            "controllerName": "io.cilium/gateway-controller",
            "description": "The default Cilium GatewayClass",
        },
        status={
            "conditions": [
                g.cond("Accepted", "True", "Accepted", "Valid GatewayClass", plus(CLUSTER_BORN, minutes=4))
            ]
        },
    )
    listeners = [
        {"allowedRoutes": {"namespaces": {"from": "All"}}, "name": "http", "port": 80, "protocol": "HTTP"},
        {
            "allowedRoutes": {"namespaces": {"from": "All"}},
            "hostname": f"*.{DOMAIN}",
            "name": "https",
            "port": 443,
            "protocol": "HTTPS",
            "tls": {
                "certificateRefs": [{"group": "", "kind": "Secret", "name": "wildcard-fletcherlabs-tls"}],
                "mode": "Terminate",
            },
        },
    ]
    for lname, host, secret in extra_listeners or []:
        listeners.append(
            {
                "allowedRoutes": {"namespaces": {"from": "All"}},
                "hostname": host,
                "name": lname,
                "port": 443,
                "protocol": "HTTPS",
                "tls": {
                    "certificateRefs": [{"group": "", "kind": "Secret", "name": secret}],
                    "mode": "Terminate",
                },
            }
        )
    kinds_ = [
        {"group": "gateway.networking.k8s.io", "kind": "HTTPRoute"},
        {"group": "gateway.networking.k8s.io", "kind": "GRPCRoute"},
    ]
    lst = []
    for lis in listeners:
        attached = routes if lis["name"] == "https" else (1 if lis["name"] != "http" else 0)
        ok = https_ok or lis["name"] != "https"
        conds = [
            g.cond(
                "Programmed",
                "True" if ok else "False",
                "Programmed" if ok else "Invalid",
                "Listener Programmed" if ok else "Invalid CertificateRef",
                at,
            ),
            g.cond("Accepted", "True", "Accepted", "Listener Accepted", at),
            g.cond(
                "ResolvedRefs",
                "True" if ok else "False",
                "ResolvedRefs" if ok else "InvalidCertificateRef",
                "Resolved Refs" if ok else "Invalid CertificateRef",
                at,
            ),
        ]
        lst.append(
            {"attachedRoutes": attached, "conditions": conds, "name": lis["name"], "supportedKinds": kinds_}
        )
    gw = g.cr(
        f,
        "gateway.networking.k8s.io/v1",
        "Gateway",
        GW_NAME,
        GW_NS,
        created=created,
        ks="infrastructure",
        annotations={"cert-manager.io/cluster-issuer": "letsencrypt-prod"},
        spec={
            "addresses": [{"type": "IPAddress", "value": GW_IP}],
            "gatewayClassName": "cilium",
            "listeners": listeners,
        },
        status={
            "addresses": [{"type": "IPAddress", "value": GW_IP}],
            "conditions": [
                g.cond("Accepted", "True", "Accepted", "Gateway successfully scheduled", at),
                g.cond("Programmed", "True", "Programmed", "Gateway successfully reconciled", at),
            ],
            "listeners": lst,
        },
    )
    g.service(
        f,
        GW_NS,
        f"cilium-gateway-{GW_NAME}",
        selector=None,
        created=plus(created, seconds=1),
        type_="LoadBalancer",
        lb_ip=GW_IP,
        owner=gw,
        labels={
            "gateway.networking.k8s.io/gateway-name": GW_NAME,
            "io.cilium.gateway/owning-gateway": GW_NAME,
        },
        ports=[
            {"name": "port-80", "port": 80, "targetPort": 80},
            {"name": "port-443", "port": 443, "targetPort": 443},
        ],
    )
    return cast("dict[str, Any]", gw)


# ---------------------------------------------------------------------------------- oauth2-proxy
def oauth2_proxy(
    g: Lab,
    ns: str,
    name: str,
    *,
    upstream: str,
    client: str,
    node: str,
    created: str,
    cookie_len: int = 32,
    issuer_slash: bool = True,
    crash: bool = False,
    marker: int = 40,
    ks: str | None = None,
    route_host: str | None = None,
    helm: tuple[str, str] | None = None,
    crash_plan: dict[str, Any] | None = None,
) -> dict[str, Any]:
    f = f"apps-{ns}.yaml" if ns not in ("longhorn-system",) else "longhorn.yaml"
    issuer = f"https://authentik.{DOMAIN}/application/o/{client}" + ("/" if issuer_slash else "")
    cookie = secret_text(marker, cookie_len, name)
    g.secret(
        f,
        ns,
        name,
        {
            "client-id": f"{client}-{g.hexs(8)}",
            "client-secret": secret_text(marker + 1, 64, name),
            "cookie-secret": cookie,
        },
        created=plus(created, seconds=-20),
        ks=ks,
    )
    sel = {"app.kubernetes.io/instance": name, "app.kubernetes.io/name": "oauth2-proxy"}
    spec = {
        "containers": [
            {
                "name": "oauth2-proxy",
                "image": OAUTH2_IMAGE,
                "args": [
                    "--http-address=0.0.0.0:4180",
                    "--provider=oidc",
                    f"--oidc-issuer-url={issuer}",
                    f"--upstream={upstream}",
                    f"--redirect-url=https://{route_host or client + '.' + DOMAIN}/oauth2/callback",
                    "--email-domain=*",
                    "--cookie-secure=true",
                    "--reverse-proxy=true",
                    "--skip-provider-button=true",
                    "--pass-access-token=true",
                ],
                "env": [
                    {
                        "name": "OAUTH2_PROXY_CLIENT_ID",
                        "valueFrom": {"secretKeyRef": {"key": "client-id", "name": name}},
                    },
                    {
                        "name": "OAUTH2_PROXY_CLIENT_SECRET",
                        "valueFrom": {"secretKeyRef": {"key": "client-secret", "name": name}},
                    },
                    {
                        "name": "OAUTH2_PROXY_COOKIE_SECRET",
                        "valueFrom": {"secretKeyRef": {"key": "cookie-secret", "name": name}},
                    },
                ],
                "ports": [{"containerPort": 4180, "name": "http"}],
                "livenessProbe": {
                    "httpGet": {"path": "/ping", "port": "http"},
                    "initialDelaySeconds": 0,
                    "timeoutSeconds": 1,
                },
                "readinessProbe": {
                    "httpGet": {"path": "/ready", "port": "http"},
                    "initialDelaySeconds": 0,
                    "timeoutSeconds": 5,
                },
                "resources": {"limits": {"memory": "128Mi"}, "requests": {"cpu": "10m", "memory": "32Mi"}},
                "securityContext": {
                    "allowPrivilegeEscalation": False,
                    "capabilities": {"drop": ["ALL"]},
                    "readOnlyRootFilesystem": True,
                    "runAsNonRoot": True,
                    "runAsUser": 2000,
                },
            }
        ]
    }
    plan: dict[str, Any] = {"node": node}
    if crash:
        plan.update(crash_plan or {})
    dep = g.deployment(
        f,
        ns,
        name,
        spec=spec,
        created=created,
        selector=sel,
        ks=ks,
        helm=helm,
        labels={**sel, "app.kubernetes.io/version": "7.6.0"},
        pods=[plan],
        progress_since=plan.get("crash_since"),
    )
    g.service(
        f,
        ns,
        name,
        selector=sel,
        created=created,
        labels=sel,
        ks=ks,
        helm=helm,
        ports=[{"name": "http", "port": 4180, "targetPort": "http", "appProtocol": "http"}],
    )
    dep["_cookie"] = cookie
    return cast("dict[str, Any]", dep)


# ---------------------------------------------------------------------------------- Velero
def velero(
    g: Lab,
    *,
    minio_ok: bool,
    vsl_conflict: bool,
    backups: list[tuple[str, str, str, dict[str, Any]]],
    minio_node: str = "k3s2",
    minio_crash: dict[str, Any] | None = None,
    b2: bool = True,
    schedules: dict[str, tuple[str, str, dict[str, Any]]] | None = None,
    vsl: bool = True,
) -> None:
    """backups: (schedule, start time, phase, extra status); schedules: name -> (cron, location, template extras)."""
    f = "velero.yaml"
    ns = "velero"
    created = plus(CLUSTER_BORN, days=8)
    helm = ("velero", ns)
    g.helm_release(
        "velero",
        ns,
        "velero",
        "7.1.0",
        "vmware-tanzu",
        created=created,
        ks="infrastructure",
        values={
            "configuration": {"defaultVolumesToFsBackup": True, "features": "EnableCSI"},
            "deployNodeAgent": True,
            "initContainers": [
                {"image": "velero/velero-plugin-for-aws:v1.10.0", "name": "velero-plugin-for-aws"}
            ],
        },
        app_version="1.14.0",
        revision=4,
        at=g.ago(days=1, hours=4),
    )
    g.secret(
        f,
        ns,
        "velero-credentials",
        {"cloud": "[default]\naws_access_key_id=minio\naws_secret_access_key=" + secret_text(11, 32) + "\n"},
        created=created,
        ks="infrastructure",
    )
    if b2:
        g.secret(
            f,
            ns,
            "velero-b2-credentials",
            {
                "cloud": "[default]\naws_access_key_id=0045c2a4e0d7f8b0000000003\n"
                "aws_secret_access_key=" + secret_text(12, 31) + "\n"
            },
            created=plus(created, days=5),
            ks="infrastructure",
        )
    vsel = {"app.kubernetes.io/instance": "velero", "app.kubernetes.io/name": "velero", "name": "velero"}
    g.deployment(
        f,
        ns,
        "velero",
        created=created,
        selector=vsel,
        helm=helm,
        sa="velero-server",
        labels={
            "app.kubernetes.io/instance": "velero",
            "app.kubernetes.io/name": "velero",
            "component": "velero",
        },
        spec={
            "containers": [
                {
                    "name": "velero",
                    "image": "velero/velero:v1.14.0",
                    "command": ["/velero"],
                    "args": [
                        "server",
                        "--uploader-type=kopia",
                        "--features=EnableCSI",
                        "--default-volumes-to-fs-backup",
                    ],
                    "env": [
                        {"name": "AWS_SHARED_CREDENTIALS_FILE", "value": "/credentials/cloud"},
                        {
                            "name": "VELERO_NAMESPACE",
                            "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}},
                        },
                    ],
                    "ports": [{"containerPort": 8085, "name": "http-monitoring"}],
                    "volumeMounts": [
                        {"mountPath": "/plugins", "name": "plugins"},
                        {"mountPath": "/credentials", "name": "cloud-credentials"},
                    ],
                }
            ],
            "initContainers": [
                {
                    "name": "velero-plugin-for-aws",
                    "image": "velero/velero-plugin-for-aws:v1.10.0",
                    "volumeMounts": [{"mountPath": "/target", "name": "plugins"}],
                }
            ],
            "volumes": [
                {"emptyDir": {}, "name": "plugins"},
                {
                    "name": "cloud-credentials",
                    "secret": {"defaultMode": 420, "secretName": "velero-credentials"},
                },
            ],
        },
        pods=[{"node": "k3s2", "created": g.ago(days=1, hours=4)}],
        rs_created=g.ago(days=1, hours=4),
        revision=4,
    )
    msel = {"app": "minio"}
    minio_plan: dict[str, Any] = {"node": minio_node}
    if not minio_ok:
        minio_plan.update(minio_crash or {})
    g.deployment(
        f,
        ns,
        "minio",
        created=created,
        selector=msel,
        ks="infrastructure",
        labels={"app": "minio", "component": "velero"},
        strategy={"type": "Recreate"},
        spec={
            "containers": [
                {
                    "name": "minio",
                    "image": "minio/minio:RELEASE.2024-06-13T22-53-53Z",
                    # the broken revision lost the data path: "0 drives provided"
                    "args": ["server", "/storage", "--console-address", ":9001"]
                    if minio_ok
                    else ["server", "--console-address", ":9001"],
                    "env": [
                        {"name": "MINIO_ROOT_USER", "value": "minio"},
                        {
                            "name": "MINIO_ROOT_PASSWORD",
                            "valueFrom": {"secretKeyRef": {"key": "root-password", "name": "minio"}},
                        },
                    ],
                    "ports": [
                        {"containerPort": 9000, "name": "api"},
                        {"containerPort": 9001, "name": "console"},
                    ],
                    "readinessProbe": {"httpGet": {"path": "/minio/health/ready", "port": 9000}},
                    "volumeMounts": [{"mountPath": "/storage", "name": "storage"}],
                }
            ],
            "volumes": [
                {"name": "storage", "nfs": {"path": "/mnt/rust/backups/minio", "server": "192.168.10.100"}}
            ],
        },
        pods=[minio_plan],
        progress_since=minio_plan.get("crash_since"),
    )
    g.secret(f, ns, "minio", {"root-password": secret_text(13, 32)}, created=created, ks="infrastructure")
    g.service(
        f,
        ns,
        "minio",
        selector=msel,
        created=created,
        ks="infrastructure",
        labels={"app": "minio"},
        ports=[
            {"name": "api", "port": 9000, "targetPort": 9000},
            {"name": "console", "port": 9001, "targetPort": 9001},
        ],
    )
    bsl_at = g.ago(seconds=g.rng.randint(20, 55))
    default_status: dict[str, Any] = {
        "lastSyncedTime": g.ago(minutes=1),
        "lastValidationTime": bsl_at,
        "phase": "Available",
    }
    if not minio_ok:
        default_status = {
            "lastValidationTime": bsl_at,
            "message": 'BackupStorageLocation "default" is unavailable: rpc error: code = Unknown desc = '
            'RequestError: send request failed\ncaused by: Get "http://minio.velero.svc:9000/velero?'
            'delimiter=%2F&list-type=2&prefix=": dial tcp 10.43.151.40:9000: connect: connection refused',
            "phase": "Unavailable",
        }
    g.cr(
        f,
        "velero.io/v1",
        "BackupStorageLocation",
        "default",
        ns,
        created=created,
        helm=helm,
        spec={
            "accessMode": "ReadWrite",
            "config": {
                "region": "minio",
                "s3ForcePathStyle": "true",
                "s3Url": "http://minio.velero.svc:9000",
            },
            "credential": {"key": "cloud", "name": "velero-credentials"},
            "default": True,
            "objectStorage": {"bucket": "velero"},
            "provider": "aws",
        },
        status=default_status,
    )
    if b2:
        g.cr(
            f,
            "velero.io/v1",
            "BackupStorageLocation",
            "b2",
            ns,
            created=plus(created, days=5),
            ks="infrastructure",
            spec={
                "accessMode": "ReadWrite",
                "config": {
                    "checksumAlgorithm": "",
                    "region": "us-west-004",
                    "s3Url": "https://s3.us-west-004.backblazeb2.com",
                },
                "credential": {"key": "cloud", "name": "velero-b2-credentials"},
                "objectStorage": {"bucket": "fletcherlabs-velero", "prefix": "k3s-home"},
                "provider": "aws",
            },
            status={
                "lastSyncedTime": g.ago(seconds=40),
                "lastValidationTime": g.ago(seconds=33),
                "phase": "Available",
            },
        )
    if vsl:  # the chart's default aws VSL (useless on a homelab, where nothing snapshots through EBS)
        g.cr(
            f,
            "velero.io/v1",
            "VolumeSnapshotLocation",
            "default",
            ns,
            created=created,
            helm=helm,
            spec={"config": {"region": "minio"}, "provider": "aws"},
            status={"phase": "Available"},
        )
    if vsl_conflict:
        g.cr(
            f,
            "velero.io/v1",
            "VolumeSnapshotLocation",
            "b2-snapshots",
            ns,
            created=plus(created, days=5),
            ks="infrastructure",
            spec={"config": {"region": "us-west-004"}, "provider": "aws"},
            status={"phase": "Available"},
        )
    scheds = schedules or {}
    sched_objs = {}
    for sname, (cron, loc, extra) in scheds.items():
        tpl = {
            "csiSnapshotTimeout": "10m0s",
            "hooks": {},
            "itemOperationTimeout": "4h0m0s",
            "metadata": {},
            "storageLocation": loc,
            "ttl": "720h0m0s",
            **extra,
        }
        last = max((b[1] for b in backups if b[0] == sname), default=None)
        st: dict[str, Any] = {"phase": "Enabled"}
        if last:
            st["lastBackup"] = last
        sched_objs[sname] = g.cr(
            f,
            "velero.io/v1",
            "Schedule",
            sname,
            ns,
            created=plus(created, days=5, hours=1),
            ks="infrastructure",
            spec={"schedule": cron, "template": tpl, "useOwnerReferencesInBackup": False},
            status=st,
            generation=1,
        )
    for sname, start, phase, extra in backups:
        sched = sched_objs[sname]
        name = f"{sname}-{start.replace('-', '').replace(':', '').replace('T', '').rstrip('Z')}"
        tpl = sched["spec"]["template"]
        st = {
            "expiration": plus(start, days=30),
            "formatVersion": "1.1.0",
            "phase": phase,
            "startTimestamp": start,
            "version": 1,
        }
        if phase in ("Completed", "PartiallyFailed", "Failed"):
            st["completionTimestamp"] = plus(
                start, minutes=g.rng.randint(2, 14), seconds=g.rng.randint(0, 59)
            )
            total = g.rng.randint(180, 900)
            st["progress"] = {"itemsBackedUp": total, "totalItems": total}
        if phase == "Completed":
            st["hookStatus"] = {}
        st.update(extra)
        st = dict(sorted(st.items()))
        g.cr(
            f,
            "velero.io/v1",
            "Backup",
            name,
            ns,
            created=start,
            labels={"velero.io/schedule-name": sname, "velero.io/storage-location": tpl["storageLocation"]},
            annotations={
                "velero.io/resource-timeout": "10m0s",
                "velero.io/source-cluster-k8s-gitversion": "v1.32.5+k3s1",
                "velero.io/source-cluster-k8s-major-version": "1",
                "velero.io/source-cluster-k8s-minor-version": "32",
            },
            spec={k: v for k, v in tpl.items() if k != "metadata"} | {"metadata": {}},
            status=st,
        )


# ---------------------------------------------------------------------------------- monitoring
def monitoring(
    g: Lab,
    *,
    prom_sc: str,
    prom_node: str = "k3s3",
    npd: bool = False,
    grafana: bool = True,
    loki: bool = True,
    node_exporter_nodes: list[str] | None = None,
    node_exporter_plan: dict[str, dict[str, Any]] | None = None,
    files: str = "monitoring.yaml",
    extras: bool = True,
) -> dict[str, Any]:
    """kube-prometheus-stack (Prometheus + Alertmanager StatefulSets owned by their CRs), Grafana, Loki."""
    f = files
    ns = "monitoring"
    created = plus(CLUSTER_BORN, days=20)
    helm = ("kube-prometheus-stack", ns)
    g.helm_release(
        "kube-prometheus-stack",
        ns,
        "kube-prometheus-stack",
        "61.3.2",
        "prometheus-community",
        created=created,
        ks="monitoring",
        app_version="v0.75.2",
        revision=7,
        at=g.ago(days=1, hours=9),
        values={
            "alertmanager": {
                "alertmanagerSpec": {
                    "storage": {
                        "volumeClaimTemplate": {
                            "spec": {
                                "accessModes": ["ReadWriteOnce"],
                                "resources": {"requests": {"storage": "5Gi"}},
                                "storageClassName": prom_sc,
                            }
                        }
                    }
                }
            },
            "grafana": {
                "enabled": grafana,
                "persistence": {"enabled": True, "storageClassName": "longhorn", "size": "10Gi"},
            },
            "prometheus": {
                "prometheusSpec": {
                    "retention": "30d",
                    "storageSpec": {
                        "volumeClaimTemplate": {
                            "spec": {
                                "accessModes": ["ReadWriteOnce"],
                                "resources": {"requests": {"storage": "50Gi"}},
                                "storageClassName": prom_sc,
                            }
                        }
                    },
                }
            },
        },
    )
    if extras:
        kps_extras(g, f, ns, created, helm)
    return _prometheus_core(
        g,
        f,
        ns,
        created,
        helm,
        prom_sc,
        prom_node,
        npd,
        grafana,
        loki,
        node_exporter_nodes,
        node_exporter_plan,
    )


def kps_extras(g: Lab, f: str, ns: str, created: str, helm: tuple[str, str]) -> None:
    g.deployment(
        f,
        ns,
        "kube-prometheus-stack-operator",
        created=created,
        helm=helm,
        sa="kube-prometheus-stack-operator",
        selector={"app": "kube-prometheus-stack-operator", "release": "kube-prometheus-stack"},
        spec={
            "containers": [
                {
                    "name": "kube-prometheus-stack",
                    "image": "quay.io/prometheus-operator/prometheus-operator:v0.75.2",
                    "args": [
                        "--kubelet-service=kube-system/kube-prometheus-stack-kubelet",
                        "--prometheus-config-reloader=quay.io/prometheus-operator/prometheus-config-reloader:v0.75.2",
                    ],
                    "ports": [{"containerPort": 10250, "name": "https"}],
                }
            ]
        },
        pods=[{"node": "k3s2", "created": g.ago(days=1, hours=9)}],
        rs_created=g.ago(days=1, hours=9),
        revision=3,
    )
    g.deployment(
        f,
        ns,
        "kube-prometheus-stack-kube-state-metrics",
        created=created,
        helm=helm,
        selector={
            "app.kubernetes.io/instance": "kube-prometheus-stack",
            "app.kubernetes.io/name": "kube-state-metrics",
        },
        sa="kube-prometheus-stack-kube-state-metrics",
        spec={
            "containers": [
                {
                    "name": "kube-state-metrics",
                    "image": "registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.12.0",
                    "args": [
                        "--port=8080",
                        "--resources=certificatesigningrequests,configmaps,cronjobs,daemonsets,deployments,nodes,pods",
                    ],
                    "ports": [{"containerPort": 8080, "name": "http"}],
                }
            ]
        },
        pods=[{"node": "k3s2", "created": g.ago(days=1, hours=9)}],
        rs_created=g.ago(days=1, hours=9),
    )


def _prometheus_core(
    g: Lab,
    f: str,
    ns: str,
    created: str,
    helm: tuple[str, str],
    prom_sc: str,
    prom_node: str,
    npd: bool,
    grafana: bool,
    loki: bool,
    node_exporter_nodes: list[str] | None,
    node_exporter_plan: dict[str, dict[str, Any]] | None,
) -> dict[str, Any]:
    prom_cr = g.cr(
        f,
        "monitoring.coreos.com/v1",
        "Prometheus",
        "kube-prometheus-stack-prometheus",
        ns,
        created=created,
        helm=helm,
        labels={"app": "kube-prometheus-stack-prometheus", "release": "kube-prometheus-stack"},
        spec={
            "replicas": 1,
            "retention": "30d",
            "serviceAccountName": "kube-prometheus-stack-prometheus",
            "storage": {
                "volumeClaimTemplate": {
                    "spec": {
                        "accessModes": ["ReadWriteOnce"],
                        "resources": {"requests": {"storage": "50Gi"}},
                        "storageClassName": prom_sc,
                    }
                }
            },
            "version": "v2.53.1",
        },
        status={
            "availableReplicas": 1,
            "conditions": [
                g.cond("Available", "True", "", "", g.ago(days=1, hours=8)),
                g.cond("Reconciled", "True", "", "", g.ago(days=1, hours=8)),
            ],
            "paused": False,
            "replicas": 1,
            "unavailableReplicas": 0,
            "updatedReplicas": 1,
        },
    )
    am_cr = g.cr(
        f,
        "monitoring.coreos.com/v1",
        "Alertmanager",
        "kube-prometheus-stack-alertmanager",
        ns,
        created=created,
        helm=helm,
        labels={"app": "kube-prometheus-stack-alertmanager", "release": "kube-prometheus-stack"},
        spec={
            "replicas": 1,
            "retention": "120h",
            "version": "v0.27.0",
            "storage": {
                "volumeClaimTemplate": {
                    "spec": {
                        "accessModes": ["ReadWriteOnce"],
                        "resources": {"requests": {"storage": "5Gi"}},
                        "storageClassName": prom_sc,
                    }
                }
            },
        },
        status={
            "availableReplicas": 1,
            "conditions": [
                g.cond("Available", "True", "", "", g.ago(days=1, hours=8)),
                g.cond("Reconciled", "True", "", "", g.ago(days=1, hours=8)),
            ],
            "paused": False,
            "replicas": 1,
            "unavailableReplicas": 0,
            "updatedReplicas": 1,
        },
    )
    prov = {"local-path": "rancher.io/local-path"}.get(prom_sc, "driver.longhorn.io")
    for cr, app, image, port, size, vname in (
        (
            prom_cr,
            "prometheus",
            "quay.io/prometheus/prometheus:v2.53.1",
            9090,
            "50Gi",
            "prometheus-kube-prometheus-stack-prometheus-db",
        ),
        (
            am_cr,
            "alertmanager",
            "quay.io/prometheus/alertmanager:v0.27.0",
            9093,
            "5Gi",
            "alertmanager-kube-prometheus-stack-alertmanager-db",
        ),
    ):
        sts_name = f"{app}-{cr['metadata']['name']}"
        sel = {
            f"{app}": cr["metadata"]["name"],
            "app.kubernetes.io/instance": cr["metadata"]["name"],
            "app.kubernetes.io/managed-by": "prometheus-operator",
            "app.kubernetes.io/name": app,
        }
        vct = {
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": {"creationTimestamp": None, "name": vname},
            "spec": {
                "accessModes": ["ReadWriteOnce"],
                "resources": {"requests": {"storage": size}},
                "storageClassName": prom_sc,
                "volumeMode": "Filesystem",
            },
            "status": {"phase": "Pending"},
        }
        c: dict[str, Any] = {
            "name": app,
            "image": image,
            "args": [f"--storage.tsdb.path=/{app}" if app == "prometheus" else f"--storage.path=/{app}"],
            "ports": [{"containerPort": port, "name": "http-web"}],
            "readinessProbe": {
                "httpGet": {"path": "/-/ready", "port": "http-web"},
                "failureThreshold": 3,
                "periodSeconds": 5,
                "timeoutSeconds": 3,
            },
            "volumeMounts": [
                {"mountPath": f"/{app}", "name": vname, "subPath": f"{app}-db" if app == "prometheus" else ""}
            ],
        }
        if app == "alertmanager":
            c["volumeMounts"][0].pop("subPath")
        sts = g.statefulset(
            f,
            ns,
            sts_name,
            spec={
                "containers": [c],
                "securityContext": {
                    "fsGroup": 2000,
                    "runAsGroup": 2000,
                    "runAsNonRoot": True,
                    "runAsUser": 1000,
                },
                "serviceAccountName": f"kube-prometheus-stack-{app}",
            },
            created=plus(created, minutes=2),
            pods=[{"node": prom_node, "created": g.ago(days=1, hours=8)}],
            selector=sel,
            tpl_labels=sel,
            owner=cr,
            service_name=f"{app}-operated",
            labels={"app": cr["metadata"]["name"], "managed-by": "prometheus-operator"},
            vcts=[vct],
            sa=f"kube-prometheus-stack-{app}",
        )
        claim = f"{vname}-{sts_name}-0"
        p = g.pvc(
            f,
            ns,
            claim,
            size=size,
            sc=prom_sc,
            created=g.ago(days=1, hours=8, minutes=1),
            provisioner=prov,
            labels=sel,
            selected_node=prom_node if prov == "rancher.io/local-path" else None,
        )
        g.pv_for(
            p,
            driver=prov,
            local_path_node=prom_node if prov == "rancher.io/local-path" else None,
            attrs=None if prov == "rancher.io/local-path" else {"numberOfReplicas": "2", "fsType": "ext4"},
        )
        g.service(
            f,
            ns,
            f"kube-prometheus-stack-{app}",
            selector={app: cr["metadata"]["name"], "app.kubernetes.io/name": app},
            created=created,
            helm=helm,
            labels={"app": f"kube-prometheus-stack-{app}", "release": "kube-prometheus-stack"},
            ports=[{"name": "http-web", "port": port, "targetPort": port, "appProtocol": "http"}],
        )
        del sts
    ne_nodes = node_exporter_nodes or []
    if ne_nodes:
        sel = {
            "app.kubernetes.io/instance": "kube-prometheus-stack",
            "app.kubernetes.io/name": "prometheus-node-exporter",
        }
        g.daemonset(
            f,
            ns,
            "kube-prometheus-stack-prometheus-node-exporter",
            created=created,
            nodes=ne_nodes,
            helm=helm,
            per_node=node_exporter_plan,
            selector=sel,
            sa="kube-prometheus-stack-prometheus-node-exporter",
            spec={
                "containers": [
                    {
                        "name": "node-exporter",
                        "image": "quay.io/prometheus/node-exporter:v1.8.1",
                        "args": [
                            "--path.procfs=/host/proc",
                            "--path.sysfs=/host/sys",
                            "--path.rootfs=/host/root",
                            "--web.listen-address=[$(HOST_IP)]:9100",
                        ],
                        "ports": [{"containerPort": 9100, "name": "http-metrics"}],
                    }
                ],
                "hostNetwork": True,
                "hostPID": True,
            },
            pods_created=g.ago(days=1, hours=9),
        )
    if grafana:
        gsel = {"app.kubernetes.io/instance": "kube-prometheus-stack", "app.kubernetes.io/name": "grafana"}
        gr = g.app(
            ns,
            "grafana",
            "docker.io/grafana/grafana:11.1.0",
            3000,
            node="k3s2",
            created=created,
            ks=None,
            helm=helm,
            file=f,
            pvc=("kube-prometheus-stack-grafana", "10Gi", "longhorn"),
            probe_path="/api/health",
            host=f"grafana.{DOMAIN}",
        )
        del gsel, gr
    if npd:
        sel = {"app": "node-problem-detector"}
        g.daemonset(
            f,
            "kube-system",
            "node-problem-detector",
            created=plus(created, days=3),
            nodes=list(g.nodes),
            selector=sel,
            labels={"app.kubernetes.io/name": "node-problem-detector"},
            helm=("node-problem-detector", "kube-system"),
            spec={
                "containers": [
                    {
                        "name": "node-problem-detector",
                        "image": "registry.k8s.io/node-problem-detector/node-problem-detector:v0.8.19",
                        "command": [
                            "/node-problem-detector",
                            "--logtostderr",
                            "--config.system-log-monitor=/config/kernel-monitor.json,/config/docker-monitor.json",
                        ],
                        "securityContext": {"privileged": True},
                    }
                ]
            },
            pods_created=plus(created, days=3),
        )
    if loki:
        lsel = {
            "app.kubernetes.io/component": "single-binary",
            "app.kubernetes.io/instance": "loki",
            "app.kubernetes.io/name": "loki",
        }
        vct = {
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": {"creationTimestamp": None, "name": "storage"},
            "spec": {
                "accessModes": ["ReadWriteOnce"],
                "resources": {"requests": {"storage": "20Gi"}},
                "storageClassName": "longhorn",
                "volumeMode": "Filesystem",
            },
            "status": {"phase": "Pending"},
        }
        g.helm_release(
            "loki",
            ns,
            "loki",
            "6.6.4",
            "grafana",
            created=created,
            ks="monitoring",
            app_version="3.0.0",
            values={
                "deploymentMode": "SingleBinary",
                "singleBinary": {"replicas": 1, "persistence": {"storageClass": "longhorn"}},
            },
        )
        g.statefulset(
            f,
            ns,
            "loki",
            created=created,
            pods=[{"node": "k3s2", "created": g.ago(days=2, hours=1)}],
            selector=lsel,
            helm=("loki", ns),
            vcts=[vct],
            service_name="loki-headless",
            sa="loki",
            spec={
                "containers": [
                    {
                        "name": "loki",
                        "image": "docker.io/grafana/loki:3.0.0",
                        "args": ["-config.file=/etc/loki/config/config.yaml", "-target=all"],
                        "ports": [{"containerPort": 3100, "name": "http-metrics"}],
                        "readinessProbe": {
                            "httpGet": {"path": "/ready", "port": "http-metrics"},
                            "initialDelaySeconds": 30,
                        },
                        "volumeMounts": [{"mountPath": "/var/loki", "name": "storage"}],
                    }
                ],
                "securityContext": {
                    "fsGroup": 10001,
                    "runAsGroup": 10001,
                    "runAsNonRoot": True,
                    "runAsUser": 10001,
                },
            },
        )
        p = g.pvc(
            f,
            ns,
            "storage-loki-0",
            size="20Gi",
            sc="longhorn",
            created=plus(created, minutes=1),
            provisioner="driver.longhorn.io",
            labels=lsel,
        )
        g.pv_for(p, driver="driver.longhorn.io", attrs={"numberOfReplicas": "2", "fsType": "ext4"})
        g.service(
            f,
            ns,
            "loki",
            selector=lsel,
            created=created,
            helm=("loki", ns),
            labels=lsel,
            ports=[{"name": "http-metrics", "port": 3100, "targetPort": "http-metrics"}],
        )
    return cast("dict[str, Any]", prom_cr)


# ---------------------------------------------------------------------------------- GPU stack
def nvidia_device_plugin(g: Lab, node: str = "k3s3", plan: dict[str, Any] | None = None) -> None:
    sel = {
        "app.kubernetes.io/instance": "nvidia-device-plugin",
        "app.kubernetes.io/name": "nvidia-device-plugin",
    }
    g.helm_release(
        "nvidia-device-plugin",
        "kube-system",
        "nvidia-device-plugin",
        "0.15.0",
        "nvidia",
        created=plus(CLUSTER_BORN, days=7),
        ks="infrastructure",
        app_version="0.15.0",
        values={
            "config": {
                "map": {
                    "default": "version: v1\nsharing:\n  timeSlicing:\n    resources:\n"
                    "    - name: nvidia.com/gpu\n      replicas: 4\n"
                }
            },
            "gfd": {"enabled": True},
            "nodeSelector": GPU_SELECTOR,
            "runtimeClassName": "nvidia",
        },
    )
    g.daemonset(
        "gpu.yaml",
        "kube-system",
        "nvidia-device-plugin",
        created=plus(CLUSTER_BORN, days=7),
        nodes=[node],
        per_node={node: plan or {}},
        selector=sel,
        helm=("nvidia-device-plugin", "kube-system"),
        spec={
            "containers": [
                {
                    "name": "nvidia-device-plugin-ctr",
                    "image": "nvcr.io/nvidia/k8s-device-plugin:v0.15.0",
                    "command": ["nvidia-device-plugin"],
                    "env": [
                        {"name": "CONFIG_FILE", "value": "/config/config.yaml"},
                        {"name": "NVIDIA_MIG_MONITOR_DEVICES", "value": "all"},
                    ],
                    "securityContext": {"capabilities": {"add": ["SYS_ADMIN"]}},
                    "volumeMounts": [
                        {"mountPath": "/var/lib/kubelet/device-plugins", "name": "device-plugin"}
                    ],
                }
            ],
            "nodeSelector": GPU_SELECTOR,
            "priorityClassName": "system-node-critical",
            "runtimeClassName": "nvidia",
            "volumes": [
                {
                    "hostPath": {"path": "/var/lib/rancher/k3s/agent/kubelet/device-plugins", "type": ""},
                    "name": "device-plugin",
                }
            ],
        },
        pods_created="2025-06-12T21:25:40Z",
    )


def dcgm_exporter(g: Lab, node: str = "k3s3", plan: dict[str, Any] | None = None) -> None:
    sel = {"app.kubernetes.io/name": "dcgm-exporter"}
    g.daemonset(
        "gpu.yaml",
        "monitoring",
        "dcgm-exporter",
        created=plus(CLUSTER_BORN, days=21),
        nodes=[node],
        per_node={node: plan or {}},
        selector=sel,
        ks="monitoring",
        labels={"app.kubernetes.io/component": "dcgm-exporter", "app.kubernetes.io/name": "dcgm-exporter"},
        spec={
            "containers": [
                {
                    "name": "exporter",
                    "image": "nvcr.io/nvidia/k8s/dcgm-exporter:3.3.6-3.4.2-ubuntu22.04",
                    "args": ["-f", "/etc/dcgm-exporter/dcp-metrics-included.csv"],
                    "env": [
                        {"name": "DCGM_EXPORTER_KUBERNETES", "value": "true"},
                        {"name": "DCGM_EXPORTER_LISTEN", "value": ":9400"},
                    ],
                    "ports": [{"containerPort": 9400, "name": "metrics"}],
                    "securityContext": {
                        "capabilities": {"add": ["SYS_ADMIN"]},
                        "runAsNonRoot": False,
                        "runAsUser": 0,
                    },
                    "volumeMounts": [
                        {
                            "mountPath": "/var/lib/kubelet/pod-resources",
                            "name": "pod-gpu-resources",
                            "readOnly": True,
                        }
                    ],
                }
            ],
            "nodeSelector": GPU_SELECTOR,
            "runtimeClassName": "nvidia",
            "volumes": [
                {
                    "hostPath": {"path": "/var/lib/rancher/k3s/agent/kubelet/pod-resources", "type": ""},
                    "name": "pod-gpu-resources",
                }
            ],
        },
        pods_created="2025-06-12T21:25:41Z",
    )


def intel_gpu_plugin(g: Lab, nodes: list[str], per_node: dict[str, dict[str, Any]] | None = None) -> None:
    sel = {"app": "intel-gpu-plugin"}
    g.daemonset(
        "gpu.yaml",
        "kube-system",
        "intel-gpu-plugin",
        created=plus(CLUSTER_BORN, days=9),
        nodes=nodes,
        per_node=per_node,
        selector=sel,
        ks="intel-gpu-plugin",
        spec={
            "containers": [
                {
                    "name": "intel-gpu-plugin",
                    "image": "intel/intel-gpu-plugin:0.30.0",
                    "args": ["-shared-dev-num", "1", "-enable-monitoring"],
                    "env": [{"name": "NODE_NAME", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}}],
                    "securityContext": {
                        "readOnlyRootFilesystem": True,
                        "seLinuxOptions": {"type": "container_device_plugin_t"},
                    },
                    "volumeMounts": [
                        {"mountPath": "/dev/dri", "name": "devfs", "readOnly": True},
                        {"mountPath": "/var/lib/kubelet/device-plugins", "name": "kubeletsockets"},
                    ],
                }
            ],
            "nodeSelector": {"intel.feature.node.kubernetes.io/gpu": "true"},
            "volumes": [
                {"hostPath": {"path": "/dev/dri", "type": ""}, "name": "devfs"},
                {
                    "hostPath": {"path": "/var/lib/rancher/k3s/agent/kubelet/device-plugins", "type": ""},
                    "name": "kubeletsockets",
                },
            ],
        },
        pods_created="2025-06-12T21:26:03Z",
    )
