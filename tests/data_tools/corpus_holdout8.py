"""The eighth holdout set of the scenario corpus: incidents of types no earlier scenario has (a node whose kubelet
reports 'PLEG is not healthy', a ReadWriteMany claim on the node-local local-path provisioner, an ExternalSecret naming
a 1Password item that does not exist, an HTTPRoute attached to a listener name the Gateway does not have, a command the
image does not contain, and a double incident: a backup Job killed by its activeDeadlineSeconds next to a Flux
Kustomization whose target namespace was never created). Each expectation was written from the incident before
anything diagnosed its snapshot; the set is run once, untuned, for the generalisation figure. Same K3s homelab and
builders as ``corpus.py``.

Run from the repository root: ``python tests/data_tools/corpus.py [name ...]`` (these are registered there).
"""

from __future__ import annotations

import copy
from collections.abc import Callable

import platform_parts as p
from corpus import (
    EV,
    Expected,
    app,
    app_added_before_its_secret,
    cause,
    crashify,
    cronjob_object,
    cronjob_run,
    ev,
    expected,
    external_secret,
    external_secrets_onepassword,
    flux_base,
    g_ago,
    job_complete,
    job_conditions,
    job_failed,
    job_spec,
    kustomization_fails,
    lab,
    node_event,
    paperless_reads_synced_secret,
    restic_backup_template,
    route_down,
    route_refused,
    secret_sync_error,
    sym,
    the_pod,
    unschedulable,
    volume_binding_times_out,
    waits_for_provisioner,
    wildcard_certificate,
    workload_down,
)
from corpus_holdout3 import _job_name
from homelab import CLUSTER_BORN, DOMAIN, Lab
from k8sgen import parse, plus

import scenarios as s

NOW = s.NOW


# ------------------------------------------------------------------------------------------ node
def node_pleg_not_healthy() -> tuple[Lab, Expected]:
    # Sources: kubernetes/kubernetes#45419 and #77728 (the kubelet keeps posting status but reports Ready=False,
    # reason KubeletNotReady, 'PLEG is not healthy: pleg was last seen active 3m7.6s ago; threshold is 3m0s', and
    # records 'Recording NodeNotReady event'), nds-org/jupyter-et#13 (the same condition in `kubectl describe node`,
    # lasting hours until the container runtime was restarted) and k3s-io/k3s#497 (a K3s node with PLEG unhealthy,
    # tainted node.kubernetes.io/not-ready:NoExecute and NoSchedule). The FailedScheduling text follows the scheduler's
    # format as the kubelet-cert-expired scenario uses it, with the not-ready taint (no value) in place of unreachable.
    since = g_ago(minutes=47)
    seen = plus(
        since, minutes=-3, seconds=-4
    )  # PLEG's last relist; Ready flips once the 3m threshold is passed
    # The DaemonSet pods on k3s3: the node lifecycle controller marks them not ready, they tolerate the taints.
    g = lab(
        "node-pleg-not-healthy",
        agent={"k3s3": s.frozen("k3s3", since)},
        lh_mgr={"k3s3": s.frozen("k3s3", since)},
        lh_csi={"k3s3": s.frozen("k3s3", since)},
    )
    node = g.nodes["k3s3"]
    beat = g.ago(seconds=26)
    quiet = int((parse(beat) - parse(seen)).total_seconds())
    pleg = f"PLEG is not healthy: pleg was last seen active {quiet // 60}m{quiet % 60}.815447313s ago; threshold is 3m0s"
    for cond in node["status"]["conditions"]:
        if cond["type"] in ("MemoryPressure", "DiskPressure", "PIDPressure", "Ready"):
            cond["lastHeartbeatTime"] = beat  # the kubelet is alive and still posting status
        if cond["type"] == "Ready":
            cond.update(
                {
                    "lastTransitionTime": since,
                    "message": pleg,
                    "reason": "KubeletNotReady",
                    "status": "False",
                }
            )
    node["spec"]["taints"] = [
        {"effect": "NoSchedule", "key": "node.kubernetes.io/not-ready", "timeAdded": plus(since, seconds=4)},
        {"effect": "NoExecute", "key": "node.kubernetes.io/not-ready", "timeAdded": plus(since, seconds=4)},
    ]
    node_event(
        g,
        "k3s3",
        "NodeNotReady",
        "Node k3s3 status is now: NodeNotReady",
        first=since,
        last=since,
        count=1,
        type_="Normal",
    )
    # The default 300 s toleration of the not-ready NoExecute taint runs out: the pods on k3s3 are marked for
    # deletion, and the kubelet, which skips pod synchronisation while PLEG is unhealthy, never confirms it.
    evict = plus(since, seconds=304)
    old = plus(CLUSTER_BORN, days=11)
    msg = (
        "0/4 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }, 3 node(s) didn't "
        "match Pod's node affinity/selector. preemption: 0/4 nodes are available: 4 Preemption is not helpful for "
        "scheduling."
    )
    z2m = app(
        g,
        "zigbee2mqtt",
        "ghcr.io/koenkk/zigbee2mqtt:2.4.0",
        8080,
        ns="home",
        node="k3s3",
        node_selector={"kubernetes.io/hostname": "k3s3"},  # the Sonoff Zigbee USB dongle is plugged into k3s3
        extra_volumes=[
            (
                {"mountPath": "/dev/ttyUSB0", "name": "zigbee"},
                {"hostPath": {"path": "/dev/ttyUSB0", "type": "CharDevice"}, "name": "zigbee"},
            )
        ],
        strategy={"type": "Recreate"},
        pods=[
            s.frozen("k3s3", since, deletion=plus(evict, seconds=30), created=old),
            unschedulable(plus(evict, seconds=1), msg),
        ],
    )
    pending = next(x for x in s.pods_of(g, "home", "zigbee2mqtt-") if not x["spec"].get("nodeName"))
    workload_down(z2m, plus(since, seconds=41))
    g.series_event(
        EV,
        pending,
        reason="FailedScheduling",
        message=msg,
        first=plus(evict, seconds=1),
        last=g.ago(minutes=4),
        count=37,
    )
    # Mealie is not pinned: its replacement runs on k3s2, the old pod stays Terminating on k3s3.
    app(
        g,
        "mealie",
        "ghcr.io/mealie-recipes/mealie:v2.8.0",
        9000,
        ns="home",
        node="k3s3",
        pods=[
            s.frozen("k3s3", since, deletion=plus(evict, seconds=30), created=old),
            {"node": "k3s2", "created": plus(evict, seconds=1)},
        ],
    )
    s.media_app(g, "sonarr", "k3s2", 8989)
    return g, expected(
        "k3s3's container runtime stopped answering the kubelet's relist: the kubelet is alive and keeps posting status, "
        "but reports Ready=False with 'PLEG is not healthy: pleg was last seen active 49m38s ago; threshold is 3m0s' "
        "and the node carries the not-ready taints. Five minutes later its pods were marked for deletion; Mealie came "
        "back on k3s2, but Zigbee2MQTT, pinned to k3s3 where the Zigbee USB dongle is, has been Pending since with "
        "'1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }'. The node (its runtime, to be restarted) is "
        "the cause, not the workloads.",
        [
            "https://github.com/kubernetes/kubernetes/issues/45419",
            "https://github.com/kubernetes/kubernetes/issues/77728",
            "https://github.com/nds-org/jupyter-et/issues/13",
            "https://github.com/k3s-io/k3s/issues/497",
        ],
        [
            cause(
                node,
                "node",
                sym(node, "node-not-ready"),
                sym(pending, "pod-pending"),
                sym(z2m, "workload-replicas-unavailable"),
                route_down("home", "zigbee2mqtt"),
            )
        ],
        holdout=True,
    )


# ------------------------------------------------------------------------------------------ storage
def localpath_pvc_readwritemany() -> tuple[Lab, Expected]:
    # Sources: go-skynet/helm-charts#42 (the LocalAI chart asks for ReadWriteMany by default; K3s's local-path
    # provisioner cannot provide it and the claim stays Pending), rancher/local-path-provisioner#70 (why the
    # provisioner only supports ReadWriteOnce). The ProvisioningFailed text 'failed to provision volume with
    # StorageClass "...": NodePath only supports ReadWriteOnce and ReadWriteOncePod (1.22+) access modes' and its source
    # 'rancher.io/local-path_<provisioner pod>_<uuid>' are as quoted from `kubectl describe pvc` in public material
    # found with the code search; the 'Provisioning' event follows the external-provisioner wording quoted in
    # storageos/charts#89. The scheduler's FailedScheduling message is the one the corpus uses for a claim never
    # provisioned within the binding timeout (local-path-provisioner-forbidden), not taken from these reports.
    g = lab("localpath-pvc-readwritemany")
    created = g.ago(hours=2, minutes=12)
    ns, claim_name = "ai", "local-ai-models"
    sel = {"app.kubernetes.io/instance": "local-ai", "app.kubernetes.io/name": "local-ai"}
    claim = g.pvc(
        "apps-ai.yaml",
        ns,
        claim_name,
        size="50Gi",
        sc="local-path",
        created=created,
        provisioner="rancher.io/local-path",
        access="ReadWriteMany",
        phase="Pending",
        ks="apps-ai",
        selected_node="k3s2",
        labels=sel,
    )
    lpp_pod = the_pod(g, "kube-system", "local-path-provisioner-")
    source = f"rancher.io/local-path_{lpp_pod['metadata']['name']}_{g.uid()}"
    waits_for_provisioner(g, claim, first=plus(created, seconds=3), last=g.ago(seconds=9), count=531)
    ev(
        g,
        claim,
        "Provisioning",
        f'External provisioner is provisioning volume for claim "{ns}/{claim_name}"',
        first=plus(created, seconds=3),
        last=g.ago(minutes=1),
        count=44,
        component=source,
        host="",
        type_="Normal",
    )
    ev(
        g,
        claim,
        "ProvisioningFailed",
        'failed to provision volume with StorageClass "local-path": NodePath only supports ReadWriteOnce and '
        "ReadWriteOncePod (1.22+) access modes",
        first=plus(created, seconds=4),
        last=g.ago(minutes=1),
        count=44,
        component=source,
        host="",
    )
    localai, pod = volume_binding_times_out(
        g,
        "local-ai",
        "quay.io/go-skynet/local-ai:v2.29.0",
        8080,
        claim_name,
        ("models", "/models"),
        ns=ns,
        node="k3s2",
        created=created,
        last=g.ago(minutes=2),
        count=13,
        probe_path="/readyz",
    )
    localai["metadata"]["creationTimestamp"] = created
    workload_down(localai, plus(created, seconds=2))
    s.media_app(g, "sonarr", "k3s2", 8989)
    return g, expected(
        "LocalAI was added with a model volume copied from its chart's defaults: a 50Gi claim with accessModes "
        "ReadWriteMany on the local-path StorageClass. K3s's local-path provisioner only creates node-local "
        "ReadWriteOnce volumes and refuses it on every attempt ('NodePath only supports ReadWriteOnce and "
        "ReadWriteOncePod (1.22+) access modes'), so the claim has been Pending for two hours and the LocalAI pod never "
        "binds its volume. The claim's access mode is the cause; the provisioner runs and serves every other claim.",
        [
            "https://github.com/go-skynet/helm-charts/issues/42",
            "https://github.com/rancher/local-path-provisioner/issues/70",
            "https://github.com/storageos/charts/issues/89",
        ],
        [
            cause(
                claim,
                "storage",
                sym(claim, "pvc-not-bound"),
                sym(pod, "pod-pending"),
                sym(localai, "workload-replicas-unavailable"),
                route_down(ns, "local-ai"),
            )
        ],
        holdout=True,
    )


# ------------------------------------------------------------------------------------------ platform
def externalsecret_remote_key_missing() -> tuple[Lab, Expected]:
    # Sources: external-secrets/external-secrets#3094 (ExternalSecret Ready=False, reason SecretSyncedError, 'could not
    # get secret data from provider', with an UpdateFailed event naming the key the provider does not have),
    # khuedoan/homelab#115 (a homelab's ExternalSecrets in SecretSyncedError while the store is fine). The event text
    # is external-secrets' 'error processing spec.data[%d] (key: %s), err: %w' (its reconciler source, found with the
    # code search) around the 1Password provider's 'key not found in 1Password Vaults: <key> in: map[<vault>:1]' as
    # quoted in a public runbook for that error; the store's 'Valid'/'store validated' condition is from memory.
    g = lab("externalsecret-remote-key-missing")
    external_secrets_onepassword(g, seeds=(71, 72))
    old = plus(CLUSTER_BORN, days=9)
    external_secret(
        g,
        "home",
        "paperless-secret",
        old,
        {
            "binding": {"name": "paperless-secret"},
            "conditions": [
                g.cond("Ready", "True", "SecretSynced", "secret synced", g.ago(minutes=22), gen=None)
            ],
            "refreshTime": g.ago(minutes=22),
            "syncedResourceVersion": f"1-{g.hexs(32)}",
        },
        data=[("PAPERLESS_SECRET_KEY", "paperless", "secret-key")],
    )
    paperless_reads_synced_secret(g, {"PAPERLESS_SECRET_KEY": p.secret_text(73, 50)}, created=old)
    # The new ExternalSecret names the 1Password item 'mealie-postgres'; the item in the vault is called 'mealie'.
    new = g.ago(hours=1, minutes=43)
    es = external_secret(
        g,
        "home",
        "mealie-secret",
        new,
        {
            "binding": {"name": ""},
            "conditions": [secret_sync_error(plus(new, seconds=1))],
            "refreshTime": None,
        },
        data=[("POSTGRES_PASSWORD", "mealie-postgres", "password")],
    )
    ev(
        g,
        es,
        "UpdateFailed",
        "error processing spec.data[0] (key: mealie-postgres), err: key not found in 1Password Vaults: "
        "mealie-postgres in: map[homelab:1]",
        first=plus(new, seconds=1),
        last=g.ago(minutes=3),
        count=23,
        component="external-secrets",
        host="",
    )
    mealie, pod = app_added_before_its_secret(
        g,
        "mealie",
        "ghcr.io/mealie-recipes/mealie:v2.8.0",
        9000,
        "mealie-secret",
        [
            {"name": "DB_ENGINE", "value": "postgres"},
            {
                "name": "POSTGRES_PASSWORD",
                "valueFrom": {"secretKeyRef": {"name": "mealie-secret", "key": "POSTGRES_PASSWORD"}},
            },
        ],
        added=new,
        last=g.ago(seconds=51),
        count=402,
    )
    workload_down(mealie, plus(new, minutes=1))
    s.media_app(g, "sonarr", "k3s2", 8989)
    return g, expected(
        "Mealie moved to PostgreSQL; its password was to come from 1Password through a new ExternalSecret, which names "
        "the item 'mealie-postgres' while the item in the homelab vault is called 'mealie'. The ClusterSecretStore is "
        "valid and paperless-secret syncs from it, but this ExternalSecret fails ('key not found in 1Password Vaults: "
        "mealie-postgres'), the Secret mealie-secret is never created and the new Mealie pod is stuck in "
        "CreateContainerConfigError. The ExternalSecret's remote key is the cause, not the store.",
        [
            "https://github.com/external-secrets/external-secrets/issues/3094",
            "https://github.com/khuedoan/homelab/issues/115",
        ],
        [
            cause(
                es,
                "platform",
                sym(pod, "pod-config-error"),
                sym(mealie, "workload-replicas-unavailable"),
                route_down("home", "mealie"),
            )
        ],
        holdout=True,
    )


def httproute_sectionname_no_listener() -> tuple[Lab, Expected]:
    # Sources: kubernetes-sigs/gateway-api#1516 (RouteReasonNoMatchingParent: a parentRef whose sectionName or port
    # matches no listener of the Gateway), nginx/nginx-gateway-fabric#481 and Kong/kubernetes-ingress-controller#3221
    # (routes whose sectionName names no listener must not be accepted). The condition is Cilium's own, from its
    # operator source (operator/pkg/gateway-api/routechecks/gateway_checks.go, CheckGatewayMatchingSection): Accepted
    # False, reason NoMatchingParent, message 'No matching listener with sectionName <name>'.
    g = lab("httproute-sectionname-no-listener")
    p.cert_manager(g, http01_only=False)
    wildcard_certificate(g, not_after=g.ago(days=-58))
    p.gateway(g, https_ok=True, routes=2)
    created = g.ago(hours=3, minutes=5)
    app(
        g,
        "it-tools",
        "ghcr.io/corentinth/it-tools:2024.10.22-7ca5933",
        80,
        ns="home",
        node="k3s1",
        route=False,
    )
    # Copied from a Traefik Gateway example: Traefik names its HTTPS listener 'websecure'; this Gateway's is 'https'.
    route = g.http_route(
        "home",
        "it-tools",
        f"tools.{DOMAIN}",
        "it-tools",
        80,
        created=created,
        ks="apps-home",
        section="websecure",
    )
    route_refused(route, "NoMatchingParent", "No matching listener with sectionName websecure")
    app(g, "mealie", "ghcr.io/mealie-recipes/mealie:v2.8.0", 9000, ns="home", node="k3s2")
    s.media_app(g, "sonarr", "k3s2", 8989)
    return g, expected(
        "A new HTTPRoute for IT-Tools (tools.fletcherlabs.net) was copied from a Traefik example and attaches to the "
        "Gateway with sectionName 'websecure', Traefik's name for its HTTPS entry point. main-gateway's listeners are "
        "'http' and 'https', so Cilium does not accept the route ('No matching listener with sectionName websecure', "
        "NoMatchingParent) and the site is unreachable, while its pod and Service are healthy. The HTTPRoute is the "
        "cause; the Gateway and the other routes are fine.",
        [
            "https://github.com/kubernetes-sigs/gateway-api/pull/1516",
            "https://github.com/nginx/nginx-gateway-fabric/issues/481",
            "https://github.com/Kong/kubernetes-ingress-controller/issues/3221",
        ],
        [cause(route, "platform", sym(route, "httproute-not-accepted"))],
        holdout=True,
    )


# ------------------------------------------------------------------------------------------ workload
def container_command_not_found() -> tuple[Lab, Expected]:
    # Sources: opencontainers/runc#4713 ('runc create failed: unable to start container process: exec: "<cmd>":
    # executable file not found in $PATH') and opencontainers/runc#1490 (a command the image does not contain). The
    # kubelet's wrapping ('failed to create containerd task: failed to create shim task: OCI runtime create failed: ...:
    # unknown', terminated reason StartError with exit code 128) is written from memory of containerd 1.6+/2.x
    # captures, not taken from these reports.
    g = lab("container-command-not-found")
    since = g.ago(hours=1, minutes=18)
    # The command was copied from a guide for the Alpine image; the distroless image has no shell at all.
    miniflux = app(
        g,
        "miniflux",
        "ghcr.io/miniflux/miniflux:2.2.9-distroless",
        8080,
        ns="home",
        node="k3s2",
        command=["sh", "-c", "miniflux -migrate && exec miniflux"],
        probe_path="/healthcheck",
        pods=[{"node": "k3s2", "created": since}],
    )
    miniflux["metadata"]["creationTimestamp"] = plus(since, seconds=-1)
    pod = the_pod(g, "home", "miniflux-")
    refusal = (
        "failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: "
        'unable to start container process: exec: "sh": executable file not found in $PATH: unknown'
    )
    crashify(g, pod, "miniflux", refusal, 20, plus(since, seconds=4), exit_code=128, reason="StartError")
    # The process never started: the kubelet reports the zero time as the start of a StartError.
    pod["status"]["containerStatuses"][0]["lastState"]["terminated"]["startedAt"] = "1970-01-01T00:00:00Z"
    ev(
        g,
        pod,
        "Failed",
        f"Error: {refusal}",
        first=plus(since, seconds=4),
        last=g.ago(minutes=3, seconds=12),
        count=21,
        container="miniflux",
    )
    workload_down(miniflux, plus(since, seconds=4))
    app(g, "mealie", "ghcr.io/mealie-recipes/mealie:v2.8.0", 9000, ns="home", node="k3s3")
    s.media_app(g, "sonarr", "k3s2", 8989)
    return g, expected(
        "Miniflux was added with the distroless image and a command copied from a guide for the Alpine image: "
        "sh -c 'miniflux -migrate && exec miniflux'. The distroless image has no shell, so runc cannot start the "
        "container ('exec: \"sh\": executable file not found in $PATH', StartError, exit code 128) and the pod has "
        "been in CrashLoopBackOff for over an hour; the feed reader is down. The Deployment's command is the cause; "
        "the image, node and runtime are fine.",
        [
            "https://github.com/opencontainers/runc/issues/4713",
            "https://github.com/opencontainers/runc/issues/1490",
        ],
        [
            cause(
                miniflux,
                "workload",
                sym(pod, "pod-crashloop"),
                sym(miniflux, "workload-replicas-unavailable"),
                route_down("home", "miniflux"),
            )
        ],
        holdout=True,
    )


# ------------------------------------------------------------------------------------------ double
def double_job_deadline_and_namespace_missing() -> tuple[Lab, Expected]:
    # Sources, incident 1: juspay/hyperswitch-helm#292 (a CronJob's pods stopped with 'Job was active longer than
    # specified deadline' by an activeDeadlineSeconds too short for the work) and the Job documentation quoted in
    # dgkanatsios/CKAD-exercises#169 (at activeDeadlineSeconds the running pods are terminated and the Job becomes
    # Failed with reason DeadlineExceeded); helm/charts#23791 (backup CronJobs and their deadline). The job
    # controller's 'SuccessfulDelete'/'Deleted pod: <name>' event is written from memory.
    # Incident 2: fluxcd/kustomize-controller#698 (targetNamespace does not create the namespace), the API server's
    # 'namespaces "<ns>" not found' (NotFound) refusal as in kabanero-io/kabanero-pipelines#391 and
    # projectcapsule/capsule#74, inside Flux's '<Kind>/<ns>/<name> dry-run failed (<reason>): ...' wrapping as the
    # corpus's other dry-run failures use it.
    g = lab("double-job-deadline-and-namespace-missing")
    flux_base(g)
    # incident 1: the nightly restic backup of the photo library outgrew its one-hour deadline
    f, ns, name = "apps-home.yaml", "home", "immich-backup"
    tpl = restic_backup_template(
        "immich",
        "/library",
        {"name": "library", "nfs": {"path": "/mnt/rust/photos", "server": "192.168.10.100"}},
    )
    jt_spec = {"activeDeadlineSeconds": 3600, "backoffLimit": 1, "template": tpl}
    cj = cronjob_object(
        g,
        f,
        ns,
        name,
        jt_spec,
        created=plus(CLUSTER_BORN, days=5),
        ks="apps-home",
        generation=2,
        schedule="30 1 * * *",
        failed_history=3,
        status={},
    )
    days = [plus(NOW[:10] + "T01:30:00Z", days=-d) for d in (3, 2, 1, 0)]
    for i, at in enumerate(days):
        jname = _job_name(name, at)
        spec = job_spec(copy.deepcopy(tpl), 1)
        spec["activeDeadlineSeconds"] = 3600
        if i == 0:  # the last night it still fitted
            done = plus(at, minutes=57, seconds=13)
            cronjob_run(
                g,
                f,
                cj,
                jname,
                created=plus(at, seconds=1),
                spec=spec,
                status=job_complete(plus(at, seconds=1), done),
            )
            cj["status"]["lastSuccessfulTime"] = done
            continue
        deadline = plus(at, hours=1, seconds=1)
        conds = job_conditions(deadline, failed=True)
        for cond in conds:
            cond.update(
                {"message": "Job was active longer than specified deadline", "reason": "DeadlineExceeded"}
            )
        job = cronjob_run(
            g,
            f,
            cj,
            jname,
            created=plus(at, seconds=1),
            spec=spec,
            status=job_failed(plus(at, seconds=1), conds),
        )
        ev(
            g,
            job,
            "SuccessfulDelete",
            f"Deleted pod: {jname}-{g.sfx(5)}",
            first=deadline,
            component="job-controller",
            host="",
            type_="Normal",
        )
        ev(
            g,
            job,
            "DeadlineExceeded",
            "Job was active longer than specified deadline",
            first=deadline,
            component="job-controller",
            host="",
        )
    cj["status"]["lastScheduleTime"] = days[-1]
    app(g, "immich-server", "ghcr.io/immich-app/immich-server:v1.135.3", 2283, ns="home", node="k3s2")
    # incident 2: a new Kustomization for the 'tools' apps with targetNamespace: tools; nothing creates the namespace
    at = g.ago(hours=2, minutes=51)
    why = 'Deployment/tools/stirling-pdf dry-run failed (NotFound): namespaces "tools" not found'
    ks = kustomization_fails(
        g,
        "apps-tools",
        "./clusters/k3s-home/apps/tools",
        "ReconciliationFailed",
        why,
        created=at,
        at=plus(at, seconds=9),
        last=g.ago(minutes=1),
        count=18,
        last_applied=None,
    )
    ks["spec"]["targetNamespace"] = "tools"
    s.media_app(g, "sonarr", "k3s2", 8989)
    return g, expected(
        "Two unrelated incidents. The nightly restic backup of the Immich photo library runs as a CronJob whose Jobs "
        "have activeDeadlineSeconds: 3600; the library grew past what fits in an hour, and for three nights the job "
        "controller has killed the backup at the deadline ('Job was active longer than specified deadline', "
        "DeadlineExceeded): the last good backup is three days old and the CronJob's deadline is that cause. "
        "Separately, a new Flux Kustomization apps-tools (Stirling-PDF) sets targetNamespace: tools, but no manifest "
        "creates the namespace and Flux does not create it: every object's dry-run fails with 'namespaces \"tools\" not "
        "found' and nothing of it has been applied for almost three hours; that Kustomization is the second cause.",
        [
            "https://github.com/juspay/hyperswitch-helm/pull/292",
            "https://github.com/dgkanatsios/CKAD-exercises/issues/169",
            "https://github.com/helm/charts/issues/23791",
            "https://github.com/fluxcd/kustomize-controller/issues/698",
            "https://github.com/kabanero-io/kabanero-pipelines/issues/391",
            "https://github.com/projectcapsule/capsule/issues/74",
        ],
        [
            cause(cj, "workload", sym(cj, "job-failed")),
            cause(ks, "platform", sym(ks, "flux-not-ready")),
        ],
        holdout=True,
    )


SCENARIOS: dict[str, Callable[[], tuple[Lab, Expected]]] = {
    "node-pleg-not-healthy": node_pleg_not_healthy,
    "localpath-pvc-readwritemany": localpath_pvc_readwritemany,
    "externalsecret-remote-key-missing": externalsecret_remote_key_missing,
    "httproute-sectionname-no-listener": httproute_sectionname_no_listener,
    "container-command-not-found": container_command_not_found,
    "double-job-deadline-and-namespace-missing": double_job_deadline_and_namespace_missing,
}
