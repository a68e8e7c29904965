"""The ninth holdout set of the scenario corpus: incidents of types no earlier scenario has (multipathd on a node taking
Longhorn's block devices so that mounts fail 'already mounted or mount point busy', a node re-registered without the
label a workload's nodeSelector needs, a DNS CAA record that forbids Let's Encrypt from renewing the wildcard
certificate, a VolumeSnapshotClass without Velero's selection label so CSI snapshot backups partially fail, a Helm
upgrade refused because it changes a StatefulSet's immutable fields, and a double incident: a Grafana dashboards
ConfigMap over the API server's 1 MiB limit next to an nginx-based app crashing on its read-only root filesystem).
Each expectation was written from the incident before anything diagnosed its snapshot; the set is run once, untuned,
for the generalisation figure. Same K3s homelab and builders as ``corpus.py``.

Run from the repository root: ``python tests/data_tools/corpus.py [name ...]`` (these are registered there).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import platform_parts as p
from corpus import (
    EV,
    Expected,
    app,
    cause,
    crashify,
    ev,
    expected,
    find,
    flux_base,
    g_ago,
    kustomization_fails,
    lab,
    node_event,
    route_down,
    sym,
    the_pod,
    unschedulable,
    wildcard_certificate,
    workload_down,
)
from homelab import CLUSTER_BORN, DOMAIN, Lab
from k8sgen import plus

import scenarios as s

NOW = s.NOW


def _set_container(dep: dict[str, Any], pods: list[dict[str, Any]], name: str, **fields: Any) -> None:
    """Set ``fields`` on container ``name`` in the Deployment's, its ReplicaSet's and its pods' specs alike."""
    specs = [dep["spec"]["template"]["spec"], dep["_rs"]["spec"]["template"]["spec"]]
    specs += [pod["spec"] for pod in pods]
    for spec in specs:
        for c in spec["containers"]:
            if c["name"] == name:
                c.update(fields)


# ------------------------------------------------------------------------------------------ node
def longhorn_multipathd_mount_busy() -> tuple[Lab, Expected]:
    """Sources: longhorn/longhorn#1210 (multipathd on the node claims the iSCSI block device Longhorn exposes, the CSI
    mount fails; Longhorn's knowledge-base answer is to blacklist its devices in /etc/multipath.conf),
    longhorn/longhorn#3994 and #5750 (the kubelet's 'MountVolume.MountDevice failed for volume "pvc-...": rpc error:
    code = Internal desc = mount failed: exit status 32 ... /dev/longhorn/pvc-... already mounted or mount point busy'
    while the volume is attached and healthy), longhorn/longhorn#8351 (an OS update turned multipath on; blacklisting
    fixed the mount) and longhorn/longhorn#1819. The SuccessfulAttachVolume text is the attach-detach controller's as
    quoted in #5750; the globalmount path's per-driver hash layout is written from memory of kubelet 1.32."""
    # k3s2 was upgraded to Ubuntu 24.04 last night; the upgrade enabled multipathd, which grabs /dev/sdX of every
    # Longhorn volume attached there. The pods rescheduled onto k3s2 after the reboot cannot mount.
    since = g_ago(hours=5, minutes=7)
    g = lab("longhorn-multipathd-mount-busy")
    pods: list[dict[str, Any]] = []
    deps: list[dict[str, Any]] = []
    for name, port in (("sonarr", 8989), ("radarr", 7878)):
        dep = s.media_app(
            g,
            name,
            "k3s2",
            port,
            pods=[{"node": "k3s2", "mode": "creating", "created": plus(since, minutes=2)}],
        )
        pod = the_pod(g, "media", f"{name}-")
        pv = dep["_pvc"]["spec"]["volumeName"]
        ev(
            g,
            pod,
            "SuccessfulAttachVolume",
            f'AttachVolume.Attach succeeded for volume "{pv}"',
            first=plus(since, minutes=2, seconds=9),
            component="attachdetach-controller",
            host="",
            type_="Normal",
        )
        ev(
            g,
            pod,
            "FailedMount",
            f'MountVolume.MountDevice failed for volume "{pv}" : rpc error: code = Internal desc = mount failed: exit '
            f"status 32\nMounting command: mount\nMounting arguments: -t ext4 -o defaults /dev/longhorn/{pv} "
            f"/var/lib/kubelet/plugins/kubernetes.io/csi/driver.longhorn.io/{g.hexs(64)}/globalmount\nOutput: mount: "
            f"/var/lib/kubelet/plugins/kubernetes.io/csi/driver.longhorn.io/{g.hexs(64)}/globalmount: /dev/longhorn/"
            f"{pv} already mounted or mount point busy.\n",
            first=plus(since, minutes=2, seconds=11),
            last=g.ago(minutes=1, seconds=40),
            count=148,
        )
        workload_down(dep, plus(since, minutes=2))
        pods.append(pod)
        deps.append(dep)
    # Longhorn volumes attached on the other nodes mount fine.
    s.media_app(g, "prowlarr", "k3s3", 9696)
    s.media_app(g, "overseerr", "k3s1", 5055)
    node = g.nodes["k3s2"]
    node["status"]["nodeInfo"]["osImage"] = "Ubuntu 24.04.2 LTS"
    node["status"]["nodeInfo"]["kernelVersion"] = "6.8.0-60-generic"
    node_event(
        g,
        "k3s2",
        "Rebooted",
        f"Node k3s2 has been rebooted, boot id: {g.uid()}",
        first=plus(since, minutes=-1),
        last=plus(since, minutes=-1),
        count=1,
    )
    return g, expected(
        "k3s2 was upgraded to Ubuntu 24.04 and rebooted five hours ago; the upgrade enabled multipathd, which now "
        "claims the block device of every Longhorn volume attached to k3s2. Longhorn attaches Sonarr's and Radarr's "
        "volumes there and reports them healthy, but the kubelet's mount fails on every retry ('mount failed: exit "
        "status 32 ... /dev/longhorn/pvc-... already mounted or mount point busy') and both pods have been stuck in "
        "ContainerCreating since. Volumes on k3s1 and k3s3 mount fine, so neither Longhorn nor the volumes are at "
        "fault: the node's multipathd configuration is the cause (blacklist Longhorn's devices in "
        "/etc/multipath.conf or disable multipathd), and the workloads are its symptoms.",
        [
            "https://github.com/longhorn/longhorn/issues/1210",
            "https://github.com/longhorn/longhorn/issues/3994",
            "https://github.com/longhorn/longhorn/issues/5750",
            "https://github.com/longhorn/longhorn/issues/8351",
            "https://github.com/longhorn/longhorn/issues/1819",
        ],
        [
            cause(
                node,
                "node",
                [x for pod in pods for x in sym(pod, "failed-mount-events", "pod-pending")],
                [x for dep in deps for x in sym(dep, "workload-replicas-unavailable")],
                route_down("media", "sonarr", "radarr"),
            )
        ],
        holdout=True,
    )


def node_label_lost_after_reregistration() -> tuple[Lab, Expected]:
    """Sources: kubernetes/kubernetes#25811 (nodes came back without the labels set after install, every pod that
    selected them stayed Pending with FailedScheduling until the nodes were labelled again) and
    kubernetes/kubernetes#71907 and #99708 (pods pinned by nodeSelector/nodeAffinity to a user-defined label and what
    happens when the node no longer carries it). That a K3s node deleted and re-registered gets only the labels of its
    config's node-label (and the discovery daemons' ones), not those applied with kubectl, is K3s behaviour written from
    memory. The FailedScheduling text follows the scheduler's format as the corpus's other scenarios use it."""
    # Fourteen hours ago k3s3 was deleted from the cluster ('kubectl delete node') to clear a stale state and its agent
    # restarted: the Node object is new. The GPU labels came back from GPU feature discovery and node-label in the K3s
    # config; 'storage-tier=optane-nvme-sas', applied by hand with kubectl months ago, did not.
    since = g_ago(hours=14, minutes=22)
    # The DaemonSet pods on k3s3 were deleted with the old Node object and recreated when it re-registered.
    back = {"k3s3": {"node": "k3s3", "created": plus(since, seconds=20)}}
    g = lab("node-label-lost-after-reregistration", agent=back, lh_mgr=back, lh_csi=back)
    node = g.nodes["k3s3"]
    node["metadata"]["creationTimestamp"] = since
    old_uid, node["metadata"]["uid"] = node["metadata"]["uid"], g.uid()
    for o in g.all_objects():  # the CSINode and CiliumNode were recreated for the new Node object
        for ref in o["metadata"].get("ownerReferences") or []:
            if ref["uid"] == old_uid:
                ref["uid"] = node["metadata"]["uid"]
                o["metadata"]["creationTimestamp"] = plus(since, seconds=2)
    node["metadata"]["labels"].pop("storage-tier", None)
    for cond in node["status"]["conditions"]:
        cond["lastTransitionTime"] = plus(since, seconds=12)
    ev(
        g,
        node,
        "RegisteredNode",
        "Node k3s3 event: Registered Node k3s3 in Controller",
        first=plus(since, seconds=3),
        component="node-controller",
        host="",
        type_="Normal",
    )
    msg = (
        "0/4 nodes are available: 4 node(s) didn't match Pod's node affinity/selector. preemption: 0/4 nodes are "
        "available: 4 Preemption is not helpful for scheduling."
    )
    pending_since = plus(since, seconds=40)
    qdrant = app(
        g,
        "qdrant",
        "docker.io/qdrant/qdrant:v1.14.1",
        6333,
        ns="ai",
        node="k3s3",
        node_selector={"storage-tier": "optane-nvme-sas"},
        probe_path="/readyz",
        pods=[unschedulable(pending_since, msg)],
    )
    pending = next(x for x in s.pods_of(g, "ai", "qdrant-") if not x["spec"].get("nodeName"))
    workload_down(qdrant, pending_since)
    g.series_event(
        EV,
        pending,
        reason="FailedScheduling",
        message=msg,
        first=pending_since,
        last=g.ago(minutes=3),
        count=171,
    )
    # Unpinned apps came back on k3s3 or elsewhere.
    app(
        g,
        "open-webui",
        "ghcr.io/open-webui/open-webui:v0.6.15",
        8080,
        ns="ai",
        node="k3s3",
        probe_path="/health",
        pods=[{"node": "k3s3", "created": plus(since, seconds=41)}],
    )
    s.media_app(g, "sonarr", "k3s2", 8989)
    return g, expected(
        "k3s3 was deleted from the cluster and re-registered fourteen hours ago (its Node object is that new). It "
        "came back Ready with the labels its K3s config and the GPU feature discovery set, but without "
        "storage-tier=optane-nvme-sas, which had been applied by hand with kubectl. Qdrant selects that label to run on "
        "k3s3's Optane disk, so its pod has been Pending since ('4 node(s) didn't match Pod's node affinity/selector') "
        "and the vector database is down. The node's missing label is the cause (re-apply it, and put it in the K3s "
        "config's node-label so it survives re-registration); the Deployment's selector is correct.",
        [
            "https://github.com/kubernetes/kubernetes/issues/25811",
            "https://github.com/kubernetes/kubernetes/issues/71907",
            "https://github.com/kubernetes/kubernetes/issues/99708",
        ],
        [
            cause(
                node,
                "node",
                sym(pending, "pod-pending"),
                sym(qdrant, "workload-replicas-unavailable"),
                route_down("ai", "qdrant"),
            )
        ],
        holdout=True,
    )


# ------------------------------------------------------------------------------------------ platform
def acme_caa_record_forbids_issuance() -> tuple[Lab, Expected]:
    """Sources: cert-manager/cert-manager#211 and #1325 (a CAA record that does not name the ACME CA makes it refuse
    the order; 'acme: authorization error for ...' is how the refusal reaches the Certificate), cert-manager#1587 (a
    wildcard certificate falls under the CAA 'issue' records when no 'issuewild' exists), letsencrypt/boulder#6915
    (cert-manager's 'Error accepting authorization: acme: authorization error for <name>: <status> urn:ietf:params:
    acme:error:...' wording), polymind-inc/acmebot#982 (Let's Encrypt's current detail: 'While processing CAA for
    <name>: CAA record for <domain> prevents issuance', type urn:ietf:params:acme:error:caa, status 403). The Order and
    CertificateRequest wording follows the corpus's other ACME scenarios."""
    g = lab("acme-caa-record-forbids-issuance")
    p.cert_manager(g, http01_only=False)
    # The wildcard was issued 78 days ago and is 12 days from expiry: its renewal has failed for 18 days.
    cert = wildcard_certificate(g, state="expiring", not_after=g.ago(days=-12))
    refusal = (
        f"Error accepting authorization: acme: authorization error for {DOMAIN}: 403 urn:ietf:params:acme:error:caa: "
        f"While processing CAA for {DOMAIN}: CAA record for {DOMAIN} prevents issuance"
    )
    order = "wildcard-fletcherlabs-2-1803355947"
    fail = (
        f'Failed to wait for order resource "{order}" to become ready: order is in "invalid" state: {refusal}'
    )
    last = g.ago(hours=5, minutes=12)
    for cond in cert["status"]["conditions"]:
        if cond["type"] == "Issuing":
            cond.update(
                {
                    "message": f"The certificate request has failed to complete and will be retried: {fail}",
                    "reason": "Failed",
                    "status": "False",
                    "lastTransitionTime": last,
                }
            )
    cert["status"]["failedIssuanceAttempts"] = 16
    cr = p.certificate_request(
        g,
        cert,
        2,
        "wildcard-fletcherlabs-k7v2x",
        created=plus(last, minutes=-1, seconds=-12),
        ready=("Failed", fail, last),
        csr_fill="W",
        gen=None,
        failed=True,
    )
    g.cr(
        "cert-manager.yaml",
        "acme.cert-manager.io/v1",
        "Order",
        order,
        "networking",
        created=plus(last, minutes=-1, seconds=-11),
        owner=cr,
        spec={
            "commonName": f"*.{DOMAIN}",
            "dnsNames": [f"*.{DOMAIN}", DOMAIN],
            "issuerRef": {"group": "cert-manager.io", "kind": "ClusterIssuer", "name": "letsencrypt-prod"},
            "request": "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURSBSRVFVRVNULS0tLS0K",
        },
        status={
            "authorizations": [
                {
                    "identifier": DOMAIN,
                    "initialState": "pending",
                    "url": "https://acme-v02.api.letsencrypt.org/acme/authz/1839204417/521877610233",
                    "wildcard": True,
                }
            ],
            "failureTime": last,
            "finalizeURL": "https://acme-v02.api.letsencrypt.org/acme/finalize/1839204417/402281137761",
            "reason": refusal,
            "state": "invalid",
            "url": "https://acme-v02.api.letsencrypt.org/acme/order/1839204417/402281137761",
        },
    )
    ev(
        g,
        cert,
        "Failed",
        f"The certificate request has failed to complete and will be retried: {fail}",
        first=g.ago(days=18, hours=2),
        last=last,
        count=16,
        component="cert-manager-certificates-issuing",
        host="",
    )
    p.gateway(g, https_ok=True, routes=2)
    app(g, "mealie", "ghcr.io/mealie-recipes/mealie:v2.8.0", 9000, ns="home", node="k3s2")
    s.media_app(g, "sonarr", "k3s2", 8989)
    return g, expected(
        f"Three weeks ago a CAA record '0 issue \"pki.goog\"' was added to {DOMAIN} for a certificate from another CA. "
        "It names no other CA and there is no 'issuewild' record, so Let's Encrypt refuses every renewal order of the "
        "Gateway's wildcard certificate ('403 urn:ietf:params:acme:error:caa: ... CAA record for fletcherlabs.net "
        "prevents issuance'). The certificate is still valid but expires in 12 days, after which every HTTPS site "
        "behind the Gateway fails. The ClusterIssuer and DNS-01 solver work; the failing Certificate, blocked by the "
        "zone's CAA record (add 'issue \"letsencrypt.org\"'), is the cause.",
        [
            "https://github.com/cert-manager/cert-manager/issues/211",
            "https://github.com/cert-manager/cert-manager/pull/1325",
            "https://github.com/cert-manager/cert-manager/issues/1587",
            "https://github.com/letsencrypt/boulder/issues/6915",
            "https://github.com/polymind-inc/acmebot/issues/982",
        ],
        [cause(cert, "platform", sym(cert, "certificate-expiring"))],
        holdout=True,
    )


def helmrelease_statefulset_forbidden_update() -> tuple[Lab, Expected]:
    """Sources: helm/helm#7998 and helm/charts#6170 ('UPGRADE FAILED: cannot patch "<name>" with kind StatefulSet:
    StatefulSet.apps "<name>" is invalid: spec: Forbidden: updates to statefulset spec for fields other than ...
    are forbidden' after a chart version changed a StatefulSet's immutable fields), hiero-ledger/solo#2057 and
    seaweedfs/seaweedfs#5207 (the current API server's list of updatable fields: 'replicas', 'ordinals', 'template',
    'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds'). helm-controller's 'Helm upgrade
    failed for release <ns>/<name> with chart <chart>@<version>: <error>' condition and its UpgradeFailed event are
    written from memory of Flux 2.x."""
    g = lab("helmrelease-statefulset-forbidden-update")
    flux_base(g, {"authentik": "https://charts.goauthentik.io"})
    at = g.ago(hours=3, minutes=41)
    sts_name = "authentik-postgresql"
    forbidden = (
        f'cannot patch "{sts_name}" with kind StatefulSet: StatefulSet.apps "{sts_name}" is invalid: spec: Forbidden: '
        "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', "
        "'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"
    )
    why = f"Helm upgrade failed for release authentik/authentik with chart authentik@2025.6.3: {forbidden}"
    hr = g.helm_release(
        "authentik",
        "authentik",
        "authentik",
        "2025.6.3",
        "authentik",
        created=plus(CLUSTER_BORN, days=9),
        ks="apps-authentik",
        at=at,
        revision=14,
        ready=("False", "UpgradeFailed", why),
    )
    ev(
        g,
        hr,
        "UpgradeFailed",
        why,
        first=at,
        last=g.ago(minutes=11),
        count=19,
        component="helm-controller",
        host="",
    )
    # The release's StatefulSet, unchanged, keeps running the old revision: the app itself is up.
    sel = {
        "app.kubernetes.io/component": "primary",
        "app.kubernetes.io/instance": "authentik",
        "app.kubernetes.io/name": "postgresql",
    }
    g.statefulset(
        "apps-authentik.yaml",
        "authentik",
        sts_name,
        created=plus(CLUSTER_BORN, days=9),
        selector=sel,
        helm=("authentik", "authentik"),
        service_name="authentik-postgresql-hl",
        spec={
            "containers": [
                {
                    "name": "postgresql",
                    "image": "docker.io/bitnami/postgresql:15.4.0-debian-11-r45",
                    "ports": [{"containerPort": 5432, "name": "tcp-postgresql"}],
                }
            ]
        },
        vcts=[
            {
                "apiVersion": "v1",
                "kind": "PersistentVolumeClaim",
                "metadata": {"name": "data"},
                "spec": {
                    "accessModes": ["ReadWriteOnce"],
                    "resources": {"requests": {"storage": "8Gi"}},
                    "storageClassName": "longhorn",
                    "volumeMode": "Filesystem",
                },
            }
        ],
        pods=[{"node": "k3s2", "created": plus(CLUSTER_BORN, days=40)}],
    )
    g.service(
        "apps-authentik.yaml",
        "authentik",
        "authentik-postgresql",
        selector=sel,
        created=plus(CLUSTER_BORN, days=9),
        helm=("authentik", "authentik"),
        labels=sel,
        ports=[{"name": "tcp-postgresql", "port": 5432, "targetPort": "tcp-postgresql"}],
    )
    app(
        g,
        "authentik-server",
        "ghcr.io/goauthentik/server:2025.4.1",
        9000,
        ns="authentik",
        node="k3s1",
        helm=("authentik", "authentik"),
        probe_path="/-/health/ready/",
    )
    s.media_app(g, "sonarr", "k3s2", 8989)
    return g, expected(
        "Renovate bumped the authentik HelmRelease to chart 2025.6.3, whose bundled PostgreSQL changes the "
        "StatefulSet's volumeClaimTemplates. The API server refuses the patch ('StatefulSet.apps "
        '"authentik-postgresql" is invalid: spec: Forbidden: updates to statefulset spec for fields other than ... '
        "are forbidden'), so every upgrade attempt fails and the release stays on the old chart and old authentik "
        "version, not Ready, for almost four hours; the running authentik is unaffected for now. The HelmRelease's "
        "chart upgrade is the cause (the StatefulSet must be deleted with --cascade=orphan, or the chart pinned); "
        "the StatefulSet and its pods are healthy.",
        [
            "https://github.com/helm/helm/issues/7998",
            "https://github.com/helm/charts/issues/6170",
            "https://github.com/hiero-ledger/solo/issues/2057",
            "https://github.com/seaweedfs/seaweedfs/pull/5207",
        ],
        [cause(hr, "platform", sym(hr, "flux-not-ready"))],
        holdout=True,
    )


# ------------------------------------------------------------------------------------------ backup
def velero_snapshotclass_unlabelled() -> tuple[Lab, Expected]:
    """Sources: velero-io/velero#7823 and #9337 (CSI snapshot backups ending PartiallyFailed while the rest of the
    backup completes), velero-io/velero#8439 and kubernetes-csi/external-provisioner#872 (a VolumeSnapshotClass for the
    driver must exist and carry the velero.io/csi-volumesnapshot-class=true label for Velero to choose it). Velero's
    log line 'failed to get VolumeSnapshotClass for provisioner driver.longhorn.io, ensure that the desired
    VolumeSnapshot class has the velero.io/csi-volumesnapshot-class label' is written from memory of its CSI code;
    it appears only in the backup's logs, the Backup object carries the error count."""
    g = lab("velero-snapshotclass-unlabelled")
    schedules = {
        **s.VELERO_SCHEDULES,
        "nightly-home-csi": (
            "0 1 * * *",
            "default",
            {
                "includedNamespaces": ["home"],
                "snapshotVolumes": True,
                "snapshotMoveData": True,
                "defaultVolumesToFsBackup": False,
                "ttl": "336h0m0s",
            },
        ),
    }
    partial = {"errors": 3, "warnings": 0}
    p.velero(
        g,
        minio_ok=True,
        vsl_conflict=False,
        vsl=False,
        schedules=schedules,
        backups=[
            ("hourly-longhorn", "2025-06-16T01:00:12Z", "Completed", {}),
            ("hourly-longhorn", "2025-06-16T02:00:12Z", "Completed", {}),
            ("daily-critical", "2025-06-16T02:00:31Z", "Completed", {}),
            ("nightly-home-csi", "2025-06-12T01:00:04Z", "Completed", {}),
            ("nightly-home-csi", "2025-06-13T01:00:04Z", "PartiallyFailed", dict(partial)),
            ("nightly-home-csi", "2025-06-14T01:00:04Z", "PartiallyFailed", dict(partial)),
            ("nightly-home-csi", "2025-06-15T01:00:04Z", "PartiallyFailed", dict(partial)),
            ("nightly-home-csi", "2025-06-16T01:00:04Z", "PartiallyFailed", dict(partial)),
        ],
    )
    # On 12 June the class, applied by hand until then, was moved into the GitOps repository and recreated from a
    # manifest written without Velero's label.
    vsc = g.cr(
        "longhorn.yaml",
        "snapshot.storage.k8s.io/v1",
        "VolumeSnapshotClass",
        "longhorn-snapshot-vsc",
        None,
        created="2025-06-12T14:31:07Z",
        ks="infrastructure",
        generation=1,
        extra={"deletionPolicy": "Delete", "driver": "driver.longhorn.io", "parameters": {"type": "snap"}},
    )
    for name, image, port in (
        ("paperless", "ghcr.io/paperless-ngx/paperless-ngx:2.16.3", 8000),
        ("mealie", "ghcr.io/mealie-recipes/mealie:v2.8.0", 9000),
        ("home-assistant", "ghcr.io/home-assistant/home-assistant:2025.6.1", 8123),
    ):
        g.app(
            "home",
            name,
            image,
            port,
            node="k3s2",
            created=plus(CLUSTER_BORN, days=4),
            ks="apps-home",
            pvc=(f"{name}-data", "10Gi", "longhorn"),
        )
    s.media_app(g, "sonarr", "k3s2", 8989)
    return g, expected(
        "The nightly-home-csi schedule backs up the home namespace with CSI snapshots of its three Longhorn volumes. "
        "On 12 June the VolumeSnapshotClass longhorn-snapshot-vsc, applied by hand until then, was moved into the "
        "GitOps repository and recreated from a manifest without the velero.io/csi-volumesnapshot-class=true label "
        "Velero selects a class by; since then "
        "Velero finds no class for driver.longhorn.io, every volume snapshot fails and each night's backup ends "
        "PartiallyFailed with 3 errors (one per volume): the manifests are saved, the data of Paperless, Mealie and "
        "Home Assistant is not, and the last full backup is four days old. The unlabelled VolumeSnapshotClass is the "
        "cause; the storage location and the other schedules are fine.",
        [
            "https://github.com/velero-io/velero/issues/7823",
            "https://github.com/velero-io/velero/issues/9337",
            "https://github.com/velero-io/velero/issues/8439",
            "https://github.com/kubernetes-csi/external-provisioner/issues/872",
        ],
        [
            cause(
                vsc,
                "backup",
                sym(find(g, "Schedule", "nightly-home-csi", "velero"), "velero-backup-failed-or-stale"),
            )
        ],
        holdout=True,
    )


# ------------------------------------------------------------------------------------------ double
def double_configmap_too_long_and_readonly_rootfs() -> tuple[Lab, Expected]:
    """Sources, incident 1: kyma-project/kyma#5830 (a dashboards ConfigMap refused with '[]: Too long: must have at
    most 1048576 characters'), fluxcd/flux2#1301 and #459 (dashboard ConfigMaps too large for Flux to apply; the 256 KiB
    annotation limit of client-side apply no longer applies to Flux's server-side apply, the 1 MiB object limit does),
    open-telemetry/opentelemetry-demo#2166 (K3s 1.32's wording 'Too long: may not be more than <n> bytes'). The
    '<Kind>/<ns>/<name> dry-run failed (Invalid): ...' wrapping is Flux's as the corpus's other dry-run failures use it.
    Incident 2: nginx/docker-nginx-unprivileged#175 and namespacelabs/foundation#47 ('nginx: [emerg] mkdir()
    "/var/cache/nginx/client_temp" failed (30: Read-only file system)' when the root filesystem is read-only and no
    writable volume is mounted there), alphagov/govuk-helm-charts#412 (the fix: temp paths on a writable volume)."""
    g = lab("double-configmap-too-long-and-readonly-rootfs")
    flux_base(g)
    # incident 1: the dashboards Kustomization's configMapGenerator now bundles 14 dashboards, 1.3 MB of JSON
    at = g.ago(hours=6, minutes=18)
    why = (
        'ConfigMap/monitoring/grafana-dashboards-homelab dry-run failed (Invalid): ConfigMap "grafana-dashboards-homelab" '
        "is invalid: []: Too long: may not be more than 1048576 bytes"
    )
    ks = kustomization_fails(
        g,
        "monitoring-dashboards",
        "./clusters/k3s-home/monitoring/dashboards",
        "ReconciliationFailed",
        why,
        created=plus(CLUSTER_BORN, days=21),
        at=at,
        last=g.ago(minutes=2),
        count=38,
    )
    # incident 2: IT-Tools added with a read-only root filesystem (a securityContext copied from another app); its nginx cannot create its temp directories
    since = g.ago(hours=1, minutes=52)
    tools = app(
        g,
        "it-tools",
        "ghcr.io/corentinth/it-tools:2024.10.22-7ca5933",
        80,
        ns="home",
        node="k3s1",
        pods=[{"node": "k3s1", "created": since}],
    )
    tools["metadata"]["creationTimestamp"] = plus(since, seconds=-1)
    pod = the_pod(g, "home", "it-tools-")
    _set_container(
        tools,
        [pod],
        "it-tools",
        securityContext={
            "allowPrivilegeEscalation": False,
            "capabilities": {"drop": ["ALL"]},
            "readOnlyRootFilesystem": True,
        },
        terminationMessagePolicy="FallbackToLogsOnError",
    )
    crashify(
        g,
        pod,
        "it-tools",
        '2025/06/16 02:59:01 [emerg] 1#1: mkdir() "/var/cache/nginx/client_temp" failed (30: Read-only file system)\n'
        'nginx: [emerg] mkdir() "/var/cache/nginx/client_temp" failed (30: Read-only file system)\n',
        23,
        plus(since, seconds=6),
    )
    workload_down(tools, plus(since, seconds=6))
    app(g, "mealie", "ghcr.io/mealie-recipes/mealie:v2.8.0", 9000, ns="home", node="k3s2")
    s.media_app(g, "sonarr", "k3s2", 8989)
    return g, expected(
        "Two unrelated incidents. The monitoring-dashboards Kustomization generates one ConfigMap from all homelab "
        "Grafana dashboards; with the two added yesterday evening it is over the API server's 1 MiB object limit, so its "
        'dry-run is refused (\'ConfigMap "grafana-dashboards-homelab" is invalid: []: Too long: may not be more than '
        "1048576 bytes') and nothing of that Kustomization has been applied for six hours: that Kustomization (split "
        "the dashboards over several ConfigMaps) is the first cause. Separately, IT-Tools was added with a securityContext copied from another "
        "app, readOnlyRootFilesystem: true, but its nginx needs to write /var/cache/nginx; it exits at start ('mkdir() "
        '"/var/cache/nginx/client_temp" failed (30: Read-only file system)\') and has been in CrashLoopBackOff for '
        "almost two hours. Its Deployment (an emptyDir for /var/cache/nginx and /var/run is missing) is the second "
        "cause.",
        [
            "https://github.com/kyma-project/kyma/issues/5830",
            "https://github.com/fluxcd/flux2/issues/1301",
            "https://github.com/fluxcd/flux2/issues/459",
            "https://github.com/open-telemetry/opentelemetry-demo/issues/2166",
            "https://github.com/nginx/docker-nginx-unprivileged/issues/175",
            "https://github.com/namespacelabs/foundation/issues/47",
            "https://github.com/alphagov/govuk-helm-charts/pull/412",
        ],
        [
            cause(ks, "platform", sym(ks, "flux-not-ready")),
            cause(
                tools,
                "workload",
                sym(pod, "pod-crashloop"),
                sym(tools, "workload-replicas-unavailable"),
                route_down("home", "it-tools"),
            ),
        ],
        holdout=True,
    )


SCENARIOS: dict[str, Callable[[], tuple[Lab, Expected]]] = {
    "longhorn-multipathd-mount-busy": longhorn_multipathd_mount_busy,
    "node-label-lost-after-reregistration": node_label_lost_after_reregistration,
    "acme-caa-record-forbids-issuance": acme_caa_record_forbids_issuance,
    "helmrelease-statefulset-forbidden-update": helmrelease_statefulset_forbidden_update,
    "velero-snapshotclass-unlabelled": velero_snapshotclass_unlabelled,
    "double-configmap-too-long-and-readonly-rootfs": double_configmap_too_long_and_readonly_rootfs,
}
