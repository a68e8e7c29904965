"""The seventh holdout set of the scenario corpus: incidents of types no earlier scenario has (a Service whose named
targetPort no container port carries any more, a new node left with the external cloud provider's 'uninitialized'
taint, a volume expansion refused because the StorageClass does not allow it, a Git branch renamed under Flux, an ACME
ClusterIssuer whose placeholder e-mail Let's Encrypt refuses, a SealedSecret sealed for another namespace, and a pod
security context that refuses an image running as root). Each expectation was written from the incident before
anything diagnosed its snapshot; the set is run once, untuned, for the generalisation figure. Same K3s homelab and
builders as ``corpus.py``.

Run from the repository root: ``python tests/data_tools/corpus.py [name ...]`` (these are registered there).
"""

from __future__ import annotations

import json
from collections.abc import Callable

import components as c
import platform_parts as p
from corpus import (
    EV,
    Expected,
    app,
    apps_kustomization,
    cause,
    config_error,
    dep_ref,
    drop,
    ev,
    expected,
    find,
    flux_base,
    kustomization_fails,
    lab,
    node_event,
    route_down,
    source_fails,
    sym,
    the_pod,
    unschedulable,
    workload_down,
)
from homelab import CLUSTER_BORN, DOMAIN, Lab
from k8sgen import plus

import scenarios as s

NOW = s.NOW


# ------------------------------------------------------------------------------------------ network
def service_targetport_name_mismatch() -> tuple[Lab, Expected]:
    # Sources: kubernetes/kubernetes#109627 (a named targetPort no pod port carries: Endpoints '<none>' while the
    # EndpointSlice lists the pods with PORTS '<unset>'), kubernetes/kubernetes#83145 (targetPort 'https' matched no
    # port name, the pod dropped out of the endpoints), and the Services debugging doc thread in
    # kubernetes/website#26681. No controller message exists for this: the endpoint controllers skip the port silently.
    g = lab("service-targetport-name-mismatch")
    changed = g.ago(hours=2, minutes=26)
    linkding = app(
        g,
        "linkding",
        "docker.io/sissbruecker/linkding:1.41.0",
        9090,
        ns="home",
        node="k3s1",
        pvc=("linkding-data", "2Gi", "longhorn"),
        pods=[{"node": "k3s1", "created": changed}],
    )
    # The clean-up commit renamed the container port (and the probe that names it) from 'http' to 'web'; the Service,
    # in another file of the same kustomization, still targets 'http'.
    pod = the_pod(g, "home", "linkding-")
    for spec in (linkding["spec"]["template"]["spec"], pod["spec"]):
        ctr = spec["containers"][0]
        ctr["ports"] = [{"containerPort": 9090, "name": "web", "protocol": "TCP"}]
        ctr["readinessProbe"]["httpGet"]["port"] = "web"
    svc = find(g, "Service", "linkding", "home")
    svc["_unresolved_ports_drop_endpoints"] = True
    s.media_app(g, "sonarr", "k3s2", 8989)
    return g, expected(
        "A clean-up commit renamed linkding's container port from 'http' to 'web' (and the readiness probe with it) "
        "but left the Service's targetPort at 'http'. The new pod runs and is Ready, yet no port of it is named "
        "'http': the endpoints controllers leave it out (Endpoints empty, the EndpointSlice lists the pod with no "
        "port), so the Service has no usable endpoint and linkding.fletcherlabs.net is down since the rollout. The "
        "Service whose targetPort names a port that no longer exists is the cause.",
        [
            "https://github.com/kubernetes/kubernetes/issues/109627",
            "https://github.com/kubernetes/kubernetes/issues/83145",
            "https://github.com/kubernetes/website/issues/26681",
        ],
        [
            cause(
                svc,
                "network",
                sym(svc, "service-no-ready-endpoints"),
                route_down("home", "linkding"),
            )
        ],
        holdout=True,
    )


# ------------------------------------------------------------------------------------------ node
def node_cloudprovider_uninitialized_taint() -> tuple[Lab, Expected]:
    # Sources: hetznercloud/csi-driver#288 (K3s nodes kept 'node.cloudprovider.kubernetes.io/uninitialized' and
    # pods stayed Pending with "node(s) had taint {...}, that the pod didn't tolerate"), rancher/rke2#7822
    # (disable-cloud-controller with no other cloud controller: the taint is never removed) and
    # kubernetes/cloud-provider-openstack#2200 (the current "had untolerated taint" wording). The kubelet adds the
    # taint only when it registers a Node with --cloud-provider=external, so only the newly joined node carries it.
    # The FailedScheduling message follows the scheduler's format as used by the other corpus scenarios.
    joined = plus(NOW, hours=-3, minutes=-18)
    specs = c.fletcherlabs_nodes(k3s2_kubelet="v1.32.5+k3s1", k3s3_bgp=True)
    specs.append(c.NodeSpec("k3s4", "192.168.10.34", "10.42.4.0/24", joined, cpu="8", mem_ki=16_318_412))
    g = lab("node-cloudprovider-uninitialized-taint", specs=specs)
    node = g.nodes["k3s4"]
    # No cloud controller initialised it: no providerID, none of the instance-type labels K3s's controller sets.
    node["spec"].pop("providerID", None)
    for key in ("node.kubernetes.io/instance-type", "beta.kubernetes.io/instance-type"):
        node["metadata"]["labels"].pop(key, None)
    node["spec"]["taints"] = [
        {"effect": "NoSchedule", "key": "node.cloudprovider.kubernetes.io/uninitialized", "value": "true"}
    ]
    # The DaemonSet controller does not place pods on a node whose NoSchedule taint they do not tolerate: Cilium
    # (tolerates everything) runs there, Longhorn's manager and CSI plugin do not.
    lh_pods = {
        o["metadata"]["name"]
        for o in g.all_objects()
        if o["kind"] == "Pod"
        and o["spec"].get("nodeName") == "k3s4"
        and o["metadata"]["namespace"] == "longhorn-system"
    }
    drop(g, lambda o: o["kind"] == "Pod" and o["metadata"]["name"] in lh_pods)
    for o in g.all_objects():
        if o["kind"] == "DaemonSet" and o["metadata"]["name"] in ("longhorn-manager", "longhorn-csi-plugin"):
            st = o["status"]
            for k in (
                "currentNumberScheduled",
                "desiredNumberScheduled",
                "numberAvailable",
                "numberReady",
                "updatedNumberScheduled",
            ):
                st[k] -= 1
        if o["kind"] == "CSINode" and o["metadata"]["name"] == "k3s4":
            o["spec"]["drivers"] = [
                d for d in o["spec"]["drivers"] or [] if d["name"] != "driver.longhorn.io"
            ]
    node["metadata"]["annotations"].pop("csi.volume.kubernetes.io/nodeid", None)
    for reason, msg, at in (
        ("Starting", "Starting kubelet.", joined),
        (
            "NodeHasSufficientMemory",
            "Node k3s4 status is now: NodeHasSufficientMemory",
            plus(joined, seconds=1),
        ),
        ("NodeReady", "Node k3s4 status is now: NodeReady", plus(joined, seconds=21)),
    ):
        node_event(g, "k3s4", reason, msg, first=at, last=at, count=1, type_="Normal")
    moved = plus(joined, minutes=34)
    msg = (
        "0/5 nodes are available: 1 node(s) had untolerated taint {node.cloudprovider.kubernetes.io/uninitialized: "
        "true}, 4 node(s) didn't match Pod's node affinity/selector. preemption: 0/5 nodes are available: 5 "
        "Preemption is not helpful for scheduling."
    )
    frigate = app(
        g,
        "frigate",
        "ghcr.io/blakeblackshear/frigate:0.15.1",
        5000,
        ns="home",
        node="k3s4",
        pvc=("frigate-config", "5Gi", "longhorn"),
        node_selector={"kubernetes.io/hostname": "k3s4"},
        extra_volumes=[
            (
                {"mountPath": "/dev/bus/usb", "name": "coral"},
                {"hostPath": {"path": "/dev/bus/usb", "type": ""}, "name": "coral"},
            )
        ],
        pods=[unschedulable(moved, msg)],
    )
    pod = the_pod(g, "home", "frigate-")
    g.series_event(
        EV, pod, reason="FailedScheduling", message=msg, first=moved, last=g.ago(minutes=3), count=141
    )
    workload_down(frigate, moved)
    s.media_app(g, "sonarr", "k3s2", 8989)
    return g, expected(
        "Weeks ago the K3s servers were restarted with disable-cloud-controller: true and no other cloud controller "
        "was installed. Nodes registered before keep working, but k3s4, a mini PC that joined three hours ago, was "
        "registered by a kubelet running with --cloud-provider=external and keeps the "
        "node.cloudprovider.kubernetes.io/uninitialized:NoSchedule taint that only a cloud controller removes (it has "
        "no providerID either). Frigate, moved to k3s4 with its Coral USB accelerator (nodeSelector on the hostname), "
        "stays Pending with '1 node(s) had untolerated taint {node.cloudprovider.kubernetes.io/uninitialized: true}'; "
        "Longhorn's DaemonSets do not run there. The uninitialised node is the cause.",
        [
            "https://github.com/hetznercloud/csi-driver/issues/288",
            "https://github.com/rancher/rke2/issues/7822",
            "https://github.com/kubernetes/cloud-provider-openstack/issues/2200",
        ],
        [
            cause(
                node,
                "node",
                sym(pod, "pod-pending"),
                sym(frigate, "workload-replicas-unavailable"),
                route_down("home", "frigate"),
            )
        ],
        holdout=True,
    )


# ------------------------------------------------------------------------------------------ storage
def pvc_expand_storageclass_disallows() -> tuple[Lab, Expected]:
    # Sources: kubernetes/kubernetes#73778 and ccremer/kubernetes-zfs-provisioner#78 (the API server's
    # PersistentVolumeClaimResize admission refuses the larger request: 'persistentvolumeclaims "..." is forbidden:
    # only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support
    # resize'), nebius/soperator#1786 (the fix is allowVolumeExpansion: true on the StorageClass). The Flux wrapping
    # ('<Kind>/<ns>/<name> dry-run failed (<reason>): ...') is the one the kustomization-immutable-selector scenario
    # uses; the reason 'Forbidden' is the API status reason of that refusal.
    g = lab("pvc-expand-storageclass-disallows")
    flux_base(g)
    sc_at = plus(CLUSTER_BORN, days=30)
    # Written by hand for data that must survive a deleted claim: Retain, and no allowVolumeExpansion (false).
    sc = g.storageclass(
        "longhorn-retain",
        "driver.longhorn.io",
        {
            "dataLocality": "best-effort",
            "fsType": "ext4",
            "numberOfReplicas": "2",
            "staleReplicaTimeout": "30",
        },
        created=sc_at,
        reclaim="Retain",
        expand=False,
        ks="infrastructure",
    )
    paperless = app(
        g,
        "paperless-ngx",
        "ghcr.io/paperless-ngx/paperless-ngx:2.16.3",
        8000,
        ns="home",
        node="k3s2",
        days=31,
        pvc=("paperless-media", "20Gi", "longhorn-retain"),
    )
    claim = paperless["_pvc"]
    pv = find(g, "PersistentVolume", claim["spec"]["volumeName"])
    attrs = pv["spec"]["csi"]["volumeAttributes"]
    for k in ("diskSelector", "nodeSelector"):
        attrs.pop(k, None)
    attrs.update({"dataLocality": "best-effort", "numberOfReplicas": "2"})
    at = g.ago(hours=4, minutes=40)
    why = (
        'PersistentVolumeClaim/home/paperless-media dry-run failed (Forbidden): persistentvolumeclaims "paperless-media" '
        "is forbidden: only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc "
        "must support resize"
    )
    ks = kustomization_fails(
        g,
        "apps-home",
        "./clusters/k3s-home/apps/home",
        "ReconciliationFailed",
        why,
        created=plus(CLUSTER_BORN, minutes=44),
        at=at,
        last=g.ago(minutes=6),
        count=29,
    )
    app(g, "mealie", "ghcr.io/mealie-recipes/mealie:v2.8.0", 9000, ns="home", node="k3s3")
    s.media_app(g, "sonarr", "k3s2", 8989)
    return g, expected(
        "Paperless-ngx's document volume was raised from 20Gi to 50Gi in Git. Its claim was provisioned from "
        "longhorn-retain, a StorageClass written by hand for Retain that leaves allowVolumeExpansion unset (false), so "
        "the API server refuses the larger request ('only dynamically provisioned pvc can be resized and the "
        "storageclass that provisions the pvc must support resize'): the apps-home Kustomization fails its dry-run and "
        "has applied nothing for almost five hours, and the volume keeps its old size. The StorageClass that does not "
        "allow expansion is the cause (Longhorn itself can expand the volume).",
        [
            "https://github.com/kubernetes/kubernetes/issues/73778",
            "https://github.com/ccremer/kubernetes-zfs-provisioner/issues/78",
            "https://github.com/nebius/soperator/pull/1786",
        ],
        [cause(sc, "storage", sym(ks, "flux-not-ready"))],
        holdout=True,
    )


# ------------------------------------------------------------------------------------------ platform
def gitrepository_branch_renamed() -> tuple[Lab, Expected]:
    # Sources: fluxcd/flux2#4338 (source-controller: "unable to clone '<url>': couldn't find remote ref
    # "refs/heads/master"") and fluxcd/source-controller#85 (a GitRepository following a branch that does not exist
    # on the remote). The "failed to checkout and determine revision: " prefix is source-controller's, as in the
    # corpus's other GitRepository failures.
    g = lab("gitrepository-branch-renamed")
    flux_base(g)
    apps_kustomization(g, "media", created=plus(CLUSTER_BORN, days=3), applied=g.ago(minutes=38))
    # The repository was bootstrapped on 'master': every revision Flux recorded names that branch.
    for o in g.all_objects():
        if o["kind"] in ("GitRepository", "Kustomization"):
            o["status"] = json.loads(json.dumps(o["status"]).replace("main@sha1:", "master@sha1:"))
    git = find(g, "GitRepository", "flux-system")
    git["spec"]["ref"] = {"branch": "master"}
    since = g.ago(hours=7, minutes=12)
    msg = (
        f"failed to checkout and determine revision: unable to clone '{p.REPO_URL}': couldn't find remote ref "
        '"refs/heads/master"'
    )
    git["status"]["artifact"]["lastUpdateTime"] = plus(since, minutes=-1)
    source_fails(g, git, "GitOperationFailed", msg, since, last=g.ago(seconds=52), count=431)
    s.media_app(g, "sonarr", "k3s2", 8989)
    return g, expected(
        "The default branch of the cluster repository was renamed from master to main on GitHub. The flux-system "
        "GitRepository (bootstrapped on master) still follows branch master, and every fetch for seven hours fails "
        "with 'couldn't find remote ref \"refs/heads/master\"': nothing pushed since is applied, while the "
        "Kustomizations keep reporting the last master revision as Ready. The GitRepository's branch reference is the "
        "cause, not github.com.",
        [
            "https://github.com/fluxcd/flux2/issues/4338",
            "https://github.com/fluxcd/source-controller/issues/85",
        ],
        [cause(git, "platform", sym(git, "flux-source-failed"))],
        holdout=True,
    )


def clusterissuer_acme_email_forbidden() -> tuple[Lab, Expected]:
    # Sources: the cert-manager ACME troubleshooting page (cert-manager/website content/docs/troubleshooting/acme.md:
    # an issuer with a @example.com e-mail is Ready=False, '400 urn:ietf:params:acme:error:invalidEmail ... Contact
    # emails @example.com are forbidden'), cert-manager/cert-manager#3394 (a failed account registration: condition
    # reason ErrRegisterACMEAccount with the message 'Failed to verify ACME account: <error>', and a Warning event
    # ErrVerifyACMEAccount with the same text), bouvet/nord-juice-shop#66 (cert-manager logs 'skipping retrying account
    # registration as a BadRequest response was returned from the ACME server': a 400 is not retried) and
    # openwrt/luci#8064 (Let's Encrypt's current wording: 'urn:ietf:params:acme:error:invalidContact', 'Error
    # validating contact(s) :: contact email has forbidden domain "example.org"'). The CertificateRequest's
    # 'Referenced issuer does not have a Ready status condition' (reason Pending, event IssuerNotReady) is
    # cert-manager's text.
    g = lab("clusterissuer-acme-email-forbidden")
    flux_base(g, {"jetstack": "https://charts.jetstack.io"})
    p.cert_manager(g, http01_only=False)
    added = g.ago(hours=2, minutes=47)
    f = "cert-manager.yaml"
    refusal = (
        "Failed to verify ACME account: 400 urn:ietf:params:acme:error:invalidContact: Error validating contact(s) "
        ':: contact email has forbidden domain "example.com"'
    )
    issuer = g.cr(
        f,
        "cert-manager.io/v1",
        "ClusterIssuer",
        "letsencrypt-dns",
        None,
        created=added,
        ks="infrastructure",
        spec={
            "acme": {
                "email": "user@example.com",
                "privateKeySecretRef": {"name": "letsencrypt-dns-account-key"},
                "server": "https://acme-v02.api.letsencrypt.org/directory",
                "solvers": [
                    {
                        "dns01": {
                            "cloudflare": {
                                "apiTokenSecretRef": {"key": "api-token", "name": "cloudflare-api-token"}
                            }
                        }
                    }
                ],
            }
        },
        status={
            "acme": {},
            "conditions": [
                g.cond("Ready", "False", "ErrRegisterACMEAccount", refusal, plus(added, seconds=3))
            ],
        },
    )
    ev(
        g,
        issuer,
        "ErrVerifyACMEAccount",
        refusal,
        first=plus(added, seconds=3),
        count=1,
        component="cert-manager-clusterissuers",
        host="",
    )
    # cert-manager generates the account key before it registers.
    g.secret(
        f,
        "cert-manager",
        "letsencrypt-dns-account-key",
        {
            "tls.key": "-----BEGIN RSA PRIVATE KEY-----\n"
            + p.secret_text(52, 64)
            + "\n-----END RSA PRIVATE KEY-----\n"
        },
        created=plus(added, seconds=1),
    )
    ns = "networking"
    names = [f"*.home.{DOMAIN}", f"home.{DOMAIN}"]
    cert = p.certificate(
        g,
        ns,
        "wildcard-home",
        names,
        created=plus(added, seconds=40),
        secret="wildcard-home-tls",
        state="failed",
    )
    cert["spec"]["issuerRef"]["name"] = "letsencrypt-dns"
    at = plus(added, seconds=41)
    cert["status"] = {
        "conditions": [
            g.cond("Ready", "False", "DoesNotExist", "Issuing certificate as Secret does not exist", at),
            g.cond("Issuing", "True", "DoesNotExist", "Issuing certificate as Secret does not exist", at),
        ],
        "nextPrivateKeySecretName": "wildcard-home-9tq4z",
    }
    pending = "Referenced issuer does not have a Ready status condition"
    cr = p.certificate_request(
        g,
        cert,
        1,
        "wildcard-home-9tq4z",
        created=plus(at, seconds=1),
        ready=("Pending", pending, plus(at, seconds=1)),
        csr_fill="R",
        requester={},
        issuer="letsencrypt-dns",
    )
    ev(
        g,
        cr,
        "IssuerNotReady",
        pending,
        first=plus(at, seconds=1),
        last=g.ago(minutes=12),
        count=14,
        component="cert-manager-certificaterequests-issuer-acme",
        host="",
        type_="Normal",
    )
    ev(
        g,
        cert,
        "Requested",
        'Created new CertificateRequest resource "wildcard-home-1"',
        first=plus(at, seconds=1),
        component="cert-manager-certificates-request-manager",
        host="",
        type_="Normal",
    )
    s.media_app(g, "sonarr", "k3s2", 8989)
    return g, expected(
        "A second ClusterIssuer, letsencrypt-dns, was added for a DNS-01 wildcard (*.home.fletcherlabs.net, names not "
        "reachable from the internet). It was copied from a Cloudflare example and kept the placeholder e-mail "
        "user@example.com; Let's Encrypt refuses to register the account ('400 urn:ietf:params:acme:error:"
        'invalidContact ... contact email has forbidden domain "example.com"\') and cert-manager does not retry a 400. '
        "The issuer stays not Ready and the wildcard-home Certificate's request waits on it, so its Secret is never "
        "created. The ClusterIssuer's e-mail is the cause; letsencrypt-prod and its certificates are fine.",
        [
            "https://github.com/cert-manager/website/blob/master/content/docs/troubleshooting/acme.md",
            "https://github.com/cert-manager/cert-manager/issues/3394",
            "https://github.com/bouvet/nord-juice-shop/issues/66",
            "https://github.com/openwrt/luci/issues/8064",
        ],
        [cause(issuer, "platform", sym(issuer, "issuer-not-ready"), sym(cert, "certificate-not-ready"))],
        holdout=True,
    )


def _sealed_secrets_controller(g: Lab) -> None:
    created = plus(CLUSTER_BORN, days=2)
    sel = {"app.kubernetes.io/instance": "sealed-secrets", "app.kubernetes.io/name": "sealed-secrets"}
    g.deployment(
        "kube-system.yaml",
        "kube-system",
        "sealed-secrets-controller",
        created=created,
        selector=sel,
        helm=("sealed-secrets", "kube-system"),
        sa="sealed-secrets-controller",
        spec={
            "containers": [
                {
                    "name": "controller",
                    "image": "docker.io/bitnami/sealed-secrets-controller:0.29.0",
                    "args": [
                        "--update-status",
                        "--key-prefix",
                        "sealed-secrets-key",
                        "--listen-addr",
                        ":8080",
                        "--listen-metrics-addr",
                        ":8081",
                    ],
                    "ports": [
                        {"containerPort": 8080, "name": "http"},
                        {"containerPort": 8081, "name": "metrics"},
                    ],
                    "securityContext": {
                        "readOnlyRootFilesystem": True,
                        "runAsNonRoot": True,
                        "runAsUser": 1001,
                    },
                }
            ],
            "serviceAccountName": "sealed-secrets-controller",
        },
        pods=[{"node": "k3s1", "created": plus(created, days=21)}],
    )


def sealedsecret_sealed_for_other_namespace() -> tuple[Lab, Expected]:
    # Sources: bitnami/sealed-secrets#442 ("Failed to unseal: no key could decrypt secret (.dockerconfigjson)",
    # event reason ErrUnsealFailed; the reporter's cause was a misconfigured namespace) and bitnami/sealed-secrets#1364
    # (no key could decrypt secret after sealing). Under the default strict scope the namespace and name are part of
    # the ciphertext. With --update-status the controller keeps a 'Synced' condition whose message is the unseal
    # error (its format, keys listed in parentheses, as in captures quoted in public runbooks; the condition carries
    # no reason).
    g = lab("sealedsecret-sealed-for-other-namespace")
    _sealed_secrets_controller(g)
    ns = "security"
    created = g.ago(minutes=53)
    failed = "no key could decrypt secret (ADMIN_TOKEN)"
    sealed = g.cr(
        "apps-security.yaml",
        "bitnami.com/v1alpha1",
        "SealedSecret",
        "vaultwarden",
        ns,
        created=created,
        ks="apps-security",
        spec={
            "encryptedData": {"ADMIN_TOKEN": "AgB" + p.secret_text(61, 120, "vw").replace("-", "+")},
            "template": {"metadata": {"name": "vaultwarden", "namespace": ns}, "type": "Opaque"},
        },
        status={
            "conditions": [
                {
                    "lastTransitionTime": plus(created, seconds=1),
                    "lastUpdateTime": g.ago(minutes=2),
                    "message": failed,
                    "status": "False",
                    "type": "Synced",
                }
            ],
            "observedGeneration": 1,
        },
    )
    ev(
        g,
        sealed,
        "ErrUnsealFailed",
        f"Failed to unseal: {failed}",
        first=plus(created, seconds=1),
        last=g.ago(minutes=2),
        count=17,
        component="sealed-secrets-controller",
        host="",
    )
    env = [
        {"name": "ADMIN_TOKEN", "valueFrom": {"secretKeyRef": {"key": "ADMIN_TOKEN", "name": "vaultwarden"}}}
    ]
    vw = g.app(
        ns,
        "vaultwarden",
        "ghcr.io/dani-garcia/vaultwarden:1.34.1",
        80,
        node="k3s2",
        created=created,
        ks="apps-security",
        env=env,
        pvc=("vaultwarden-data", "2Gi", "longhorn"),
        pods=[{"node": "k3s2", "mode": "creating", "created": plus(created, seconds=3)}],
    )
    pod = the_pod(g, ns, "vaultwarden-")
    config_error(
        g,
        pod,
        'secret "vaultwarden" not found',
        since=plus(created, seconds=3),
        first=plus(created, seconds=5),
        last=g.ago(seconds=44),
        count=236,
    )
    workload_down(vw, plus(created, seconds=3))
    s.media_app(g, "sonarr", "k3s2", 8989)
    return g, expected(
        "Vaultwarden was added with its admin token in a SealedSecret. The token was sealed with kubeseal from a "
        "Secret without a namespace, so the ciphertext is bound to 'default'; the kustomization places it in "
        "'security', and the sealed-secrets controller cannot decrypt it there ('no key could decrypt secret "
        "(ADMIN_TOKEN)', Synced=False). The Secret 'vaultwarden' is never created, the new pod is stuck in "
        "CreateContainerConfigError and the vault is unreachable. The SealedSecret (to be sealed again for its "
        "namespace) is the cause, not the controller or the Deployment.",
        [
            "https://github.com/bitnami/sealed-secrets/issues/442",
            "https://github.com/bitnami/sealed-secrets/issues/1364",
        ],
        [
            cause(
                sealed,
                "platform",
                sym(pod, "pod-config-error"),
                sym(dep_ref(ns, "vaultwarden"), "workload-replicas-unavailable"),
                route_down(ns, "vaultwarden"),
            )
        ],
        holdout=True,
    )


# ------------------------------------------------------------------------------------------ workload
def runasnonroot_image_runs_as_root() -> tuple[Lab, Expected]:
    # Sources: kubernetes-sigs/external-dns#4003 (the waiting state 'CreateContainerConfigError', message 'container
    # has runAsNonRoot and image will run as root (pod: "<pod>_<ns>(<uid>)", container: <name>)'),
    # intel/CPU-Manager-for-Kubernetes#299 (the kubelet's 'Failed' event 'Error: container has runAsNonRoot and image
    # will run as root (pod: ..., container: ...)') and Unleash/unleash-edge#483 (an image without a non-root USER).
    g = lab("runasnonroot-image-runs-as-root")
    rolled = g.ago(hours=1, minutes=9)
    heimdall = app(
        g,
        "heimdall",
        "lscr.io/linuxserver/heimdall:2.6.3",
        80,
        ns="home",
        node="k3s3",
        pvc=("heimdall-config", "1Gi", "longhorn"),
        pods=[{"node": "k3s3", "mode": "creating", "created": rolled}],
    )
    # The hardening commit's kustomize patch: a pod-level security context for every app of the namespace.
    pod = the_pod(g, "home", "heimdall-")
    for spec in (heimdall["spec"]["template"]["spec"], pod["spec"]):
        spec["securityContext"] = {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}}
    md = pod["metadata"]
    refusal = (
        f'container has runAsNonRoot and image will run as root (pod: "{md["name"]}_{md["namespace"]}({md["uid"]})", '
        "container: heimdall)"
    )
    config_error(
        g, pod, refusal, since=rolled, first=plus(rolled, seconds=6), last=g.ago(seconds=37), count=322
    )
    workload_down(heimdall, rolled)
    app(g, "mealie", "ghcr.io/mealie-recipes/mealie:v2.8.0", 9000, ns="home", node="k3s2")
    s.media_app(g, "sonarr", "k3s2", 8989)
    return g, expected(
        "A hardening commit added a pod security context with runAsNonRoot: true to every app in the home namespace. "
        "The linuxserver.io Heimdall image starts as root (its init drops privileges itself) and declares no non-root "
        "USER, so the kubelet refuses to start it: the new pod (Recreate strategy, the old one is gone) is stuck in "
        "CreateContainerConfigError with 'container has runAsNonRoot and image will run as root', and the dashboard is "
        "down for an hour. The Deployment's security context, which this image cannot satisfy, is the cause.",
        [
            "https://github.com/kubernetes-sigs/external-dns/issues/4003",
            "https://github.com/intel/CPU-Manager-for-Kubernetes/issues/299",
            "https://github.com/Unleash/unleash-edge/issues/483",
        ],
        [
            cause(
                heimdall,
                "workload",
                sym(pod, "pod-config-error"),
                sym(heimdall, "workload-replicas-unavailable"),
                route_down("home", "heimdall"),
            )
        ],
        holdout=True,
    )


SCENARIOS: dict[str, Callable[[], tuple[Lab, Expected]]] = {
    "service-targetport-name-mismatch": service_targetport_name_mismatch,
    "node-cloudprovider-uninitialized-taint": node_cloudprovider_uninitialized_taint,
    "pvc-expand-storageclass-disallows": pvc_expand_storageclass_disallows,
    "gitrepository-branch-renamed": gitrepository_branch_renamed,
    "clusterissuer-acme-email-forbidden": clusterissuer_acme_email_forbidden,
    "sealedsecret-sealed-for-other-namespace": sealedsecret_sealed_for_other_namespace,
    "runasnonroot-image-runs-as-root": runasnonroot_image_runs_as_root,
}
