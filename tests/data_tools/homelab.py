"""Building blocks of the fletcherlabs homelab (K3s + Flux) on top of :mod:`k8sgen`.

``Lab`` adds the custom resources (Flux, cert-manager, Gateway API, Velero, Longhorn, Cilium) and an
``app`` helper (Deployment + ReplicaSet + Pods, Service, PVC/PV, HTTPRoute) to the generic generator.
The demo snapshot (``demo.py``) and the scenario snapshots (``scenarios.py``) are written with it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, cast

from k8sgen import FLUX_NS, K3S_KUBELET, Gen, plus, strip_private

DOMAIN = "fletcherlabs.net"
GW_NS = "networking"
GW_NAME = "main-gateway"
GW_IP = "192.168.10.224"
CILIUM_GW = "io.cilium/gateway-controller"
CLUSTER_BORN = "2025-05-18T14:02:11Z"

# Kinds a snapshot of this cluster has captured even when no object of them exists.
ALWAYS_CAPTURED = [
    "Namespace",
    "Node",
    "Pod",
    "Service",
    "Endpoints",
    "EndpointSlice.discovery.k8s.io",
    "ConfigMap",
    "Secret",
    "PersistentVolumeClaim",
    "PersistentVolume",
    "Event",
    "ResourceQuota",
    "ServiceAccount",
    "Deployment.apps",
    "ReplicaSet.apps",
    "StatefulSet.apps",
    "DaemonSet.apps",
    "Job.batch",
    "CronJob.batch",
    "StorageClass.storage.k8s.io",
    "CSIDriver.storage.k8s.io",
    "CSINode.storage.k8s.io",
    "VolumeAttachment.storage.k8s.io",
    "PriorityClass.scheduling.k8s.io",
    "Ingress.networking.k8s.io",
    "NetworkPolicy.networking.k8s.io",
]

# A scenario snapshot is a narrower capture: the kinds it holds plus these, captured and empty.
SCENARIO_CAPTURED = [
    "Event",
    "Endpoints",
    "EndpointSlice.discovery.k8s.io",
    "ResourceQuota",
    "PriorityClass.scheduling.k8s.io",
    "Secret",
    "ConfigMap",
    "PersistentVolumeClaim",
    "PersistentVolume",
]


class Lab(Gen):
    """The generator plus the CRDs of a K3s + Flux homelab."""

    # ------------------------------------------------------------ generic custom resources
    def cr(
        self,
        file: str,
        api_version: str,
        kind: str,
        name: str,
        ns: str | None,
        *,
        created: str,
        spec: dict[str, Any] | None = None,
        status: dict[str, Any] | None = None,
        labels: dict[str, str] | None = None,
        annotations: dict[str, str] | None = None,
        ks: str | None = None,
        helm: tuple[str, str] | None = None,
        generation: int | None = 1,
        finalizers: list[str] | None = None,
        owner: dict[str, Any] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        group, _, version = api_version.rpartition("/")
        md = self.meta(
            name,
            ns,
            created=created,
            labels=labels,
            annotations=annotations,
            ks=ks,
            helm=helm,
            generation=generation,
            finalizers=finalizers,
            owner=owner,
            kind=kind,
            group=group,
            version=version,
        )
        obj: dict[str, Any] = {"apiVersion": api_version, "kind": kind, "metadata": md}
        if extra:
            obj.update(extra)
        if spec is not None:
            obj["spec"] = spec
        if status is not None:
            obj["status"] = status
        return cast("dict[str, Any]", self.add(file, obj))

    @staticmethod
    def cond(
        type_: str,
        status: str,
        reason: str,
        message: str,
        at: str,
        gen: int | None = 1,
        heartbeat: str | None = None,
    ) -> dict[str, Any]:
        c: dict[str, Any] = {}
        if heartbeat:
            c["lastHeartbeatTime"] = heartbeat
        c["lastTransitionTime"] = at
        c["message"] = message
        if gen is not None:
            c["observedGeneration"] = gen
        c["reason"] = reason
        c["status"] = status
        c["type"] = type_
        return c

    def csidriver(
        self,
        name: str,
        *,
        created: str,
        attach: bool,
        pod_info: bool = True,
        helm: tuple[str, str] | None = None,
        file: str = "storage.yaml",
    ) -> dict[str, Any]:
        spec = {
            "attachRequired": attach,
            "fsGroupPolicy": "ReadWriteOnceWithFSType",
            "podInfoOnMount": pod_info,
            "requiresRepublish": False,
            "seLinuxMount": False,
            "storageCapacity": False,
            "volumeLifecycleModes": ["Persistent"],
        }
        return self.cr(
            file,
            "storage.k8s.io/v1",
            "CSIDriver",
            name,
            None,
            created=created,
            spec=spec,
            helm=helm,
            generation=None,
        )

    def priority_class(
        self,
        name: str,
        value: int,
        *,
        created: str,
        description: str,
        file: str = "scheduling.yaml",
        ks: str | None = None,
    ) -> dict[str, Any]:
        return self.cr(
            file,
            "scheduling.k8s.io/v1",
            "PriorityClass",
            name,
            None,
            created=created,
            ks=ks,
            generation=None,
            extra={"description": description, "preemptionPolicy": "PreemptLowerPriority", "value": value},
        )

    def crd(
        self,
        group: str,
        kind: str,
        plural: str,
        versions: list[str],
        *,
        created: str,
        scope: str = "Namespaced",
        file: str = "crds.yaml",
        helm: tuple[str, str] | None = None,
        ks: str | None = None,
    ) -> dict[str, Any]:
        name = f"{plural}.{group}"
        spec = {
            "conversion": {"strategy": "None"},
            "group": group,
            "names": {"kind": kind, "listKind": f"{kind}List", "plural": plural, "singular": kind.lower()},
            "scope": scope,
            "versions": [
                {"name": v, "served": True, "storage": i == len(versions) - 1, "subresources": {"status": {}}}
                for i, v in enumerate(versions)
            ],
        }
        status = {
            "acceptedNames": spec["names"],
            "conditions": [
                {
                    "lastTransitionTime": plus(created, seconds=1),
                    "message": "no conflicts found",
                    "reason": "NoConflicts",
                    "status": "True",
                    "type": "NamesAccepted",
                },
                {
                    "lastTransitionTime": plus(created, seconds=1),
                    "message": "the initial names have been accepted",
                    "reason": "InitialNamesAccepted",
                    "status": "True",
                    "type": "Established",
                },
            ],
            "storedVersions": [versions[-1]],
        }
        return self.cr(
            file,
            "apiextensions.k8s.io/v1",
            "CustomResourceDefinition",
            name,
            None,
            created=created,
            spec=spec,
            status=status,
            helm=helm,
            ks=ks,
        )

    # ------------------------------------------------------------ Flux
    def git_repository(
        self, name: str, *, created: str, url: str, revision: str, fetched: str, file: str = "flux.yaml"
    ) -> dict[str, Any]:
        digest = self.hexs(64)
        rev = f"main@sha1:{revision}"
        status = {
            "artifact": {
                "digest": f"sha256:{digest}",
                "lastUpdateTime": fetched,
                "path": f"gitrepository/{FLUX_NS}/{name}/{revision}.tar.gz",
                "revision": rev,
                "size": 186_512 + self.rng.randint(0, 9999),
                "url": f"http://source-controller.{FLUX_NS}.svc.cluster.local./gitrepository/{FLUX_NS}/{name}/{revision}.tar.gz",
            },
            "conditions": [
                self.cond("Ready", "True", "Succeeded", f"stored artifact for revision '{rev}'", fetched),
                self.cond(
                    "ArtifactInStorage", "True", "Succeeded", f"stored artifact for revision '{rev}'", fetched
                ),
            ],
            "observedGeneration": 1,
        }
        return self.cr(
            file,
            "source.toolkit.fluxcd.io/v1",
            "GitRepository",
            name,
            FLUX_NS,
            created=created,
            finalizers=["finalizers.fluxcd.io"],
            ks="flux-system",
            spec={
                "interval": "1m0s",
                "ref": {"branch": "main"},
                "secretRef": {"name": "flux-system"},
                "timeout": "60s",
                "url": url,
            },
            status=status,
        )

    def helm_repository(
        self,
        name: str,
        url: str,
        *,
        created: str,
        fetched: str,
        ks: str = "infrastructure",
        file: str = "flux.yaml",
        oci: bool = False,
    ) -> dict[str, Any]:
        spec: dict[str, Any] = {"interval": "1h0m0s", "provider": "generic", "timeout": "60s", "url": url}
        if oci:
            spec["type"] = "oci"
            status: dict[str, Any] = {
                "conditions": [self.cond("Ready", "True", "Succeeded", "Helm repository is Ready", fetched)],
                "observedGeneration": 1,
                "url": url,
            }
        else:
            digest = self.hexs(64)
            status = {
                "artifact": {
                    "digest": f"sha256:{digest}",
                    "lastUpdateTime": fetched,
                    "path": f"helmrepository/{FLUX_NS}/{name}/index-{digest}.yaml",
                    "revision": f"sha256:{digest}",
                    "size": self.rng.randint(40_000, 4_000_000),
                    "url": f"http://source-controller.{FLUX_NS}.svc.cluster.local./helmrepository/{FLUX_NS}/{name}/index-{digest}.yaml",
                },
                "conditions": [
                    self.cond(
                        "Ready", "True", "Succeeded", f"stored artifact: revision 'sha256:{digest}'", fetched
                    ),
                    self.cond(
                        "ArtifactInStorage",
                        "True",
                        "Succeeded",
                        f"stored artifact: revision 'sha256:{digest}'",
                        fetched,
                    ),
                ],
                "observedGeneration": 1,
                "url": f"http://source-controller.{FLUX_NS}.svc.cluster.local./helmrepository/{FLUX_NS}/{name}/index.yaml",
            }
        return self.cr(
            file,
            "source.toolkit.fluxcd.io/v1",
            "HelmRepository",
            name,
            FLUX_NS,
            created=created,
            ks=ks,
            finalizers=["finalizers.fluxcd.io"],
            spec=spec,
            status=status,
        )

    def kustomization(
        self,
        name: str,
        path: str,
        *,
        created: str,
        revision: str,
        applied: str,
        depends: list[str] | None = None,
        ready: tuple[str, str, str] | None = None,
        sops: bool = False,
        file: str = "flux.yaml",
        health_checks: bool = False,
        last_applied: str | None = None,
    ) -> dict[str, Any]:
        """ready: (status, reason, message) when not the healthy default."""
        spec: dict[str, Any] = {
            "force": False,
            "interval": "10m0s",
            "path": path,
            "prune": True,
            "sourceRef": {"kind": "GitRepository", "name": "flux-system"},
            "timeout": "5m0s",
        }
        if depends:
            spec["dependsOn"] = [{"name": d} for d in depends]
        if sops:
            spec["decryption"] = {"provider": "sops", "secretRef": {"name": "sops-age"}}
        if health_checks:
            spec["wait"] = True
        rev = f"main@sha1:{revision}"
        status: dict[str, Any] = {}
        if ready is None:
            status["conditions"] = [
                self.cond("Ready", "True", "ReconciliationSucceeded", f"Applied revision: {rev}", applied)
            ]
            status["inventory"] = {"entries": []}
            status["lastAppliedRevision"] = rev
        else:
            st, reason, msg = ready
            status["conditions"] = [self.cond("Ready", st, reason, msg, applied)]
            if last_applied:
                status["inventory"] = {"entries": []}
                status["lastAppliedRevision"] = f"main@sha1:{last_applied}"
        status["lastAttemptedRevision"] = rev
        status["observedGeneration"] = 1
        ks = self.cr(
            file,
            "kustomize.toolkit.fluxcd.io/v1",
            "Kustomization",
            name,
            FLUX_NS,
            created=created,
            ks=None if name == "flux-system" else "flux-system",
            finalizers=["finalizers.fluxcd.io"],
            spec=spec,
            status=status,
            generation=1,
        )
        return ks

    def fill_inventories(self) -> None:
        """Put what each Kustomization applied into its ``status.inventory`` (Flux's id format)."""
        for obj in self.all_objects():
            if obj.get("kind") != "Kustomization" or "inventory" not in obj.get("status", {}):
                continue
            entries = []
            for ns, name, group, kind, version in sorted(self.ks_inventory.get(obj["metadata"]["name"], [])):
                entries.append({"id": f"{ns}_{name}_{group}_{kind}", "v": version})
            obj["status"]["inventory"]["entries"] = entries

    def helm_release(
        self,
        name: str,
        ns: str,
        chart: str,
        version: str,
        repo: str,
        *,
        created: str,
        ks: str,
        values: dict[str, Any] | None = None,
        values_from: list[dict[str, Any]] | None = None,
        api: str = "v2",
        ready: tuple[str, str, str] | None = None,
        at: str | None = None,
        revision: int = 1,
        file: str = "flux.yaml",
        app_version: str = "",
        install_crds: bool = False,
        target_ns: str | None = None,
    ) -> dict[str, Any]:
        at = at or plus(created, minutes=2)
        spec: dict[str, Any] = {
            "chart": {
                "spec": {
                    "chart": chart,
                    "reconcileStrategy": "ChartVersion",
                    "sourceRef": {"kind": "HelmRepository", "name": repo, "namespace": FLUX_NS},
                    "version": version,
                }
            },
            "interval": "30m0s",
        }
        if install_crds:
            spec["install"] = {"crds": "CreateReplace"}
            spec["upgrade"] = {"crds": "CreateReplace"}
        if target_ns:
            spec["targetNamespace"] = target_ns
        if values:
            spec["values"] = values
        if values_from:
            spec["valuesFrom"] = values_from
        status: dict[str, Any] = {}
        if ready is None:
            msg = f"Helm {'install' if revision == 1 else 'upgrade'} succeeded for release {ns}/{name}.v{revision} with chart {chart}@{version}"
            status["conditions"] = [
                self.cond(
                    "Ready", "True", "UpgradeSucceeded" if revision > 1 else "InstallSucceeded", msg, at
                ),
                self.cond(
                    "Released", "True", "UpgradeSucceeded" if revision > 1 else "InstallSucceeded", msg, at
                ),
            ]
            status["helmChart"] = f"{FLUX_NS}/{ns}-{name}"
            if api == "v2":
                status["history"] = [
                    {
                        "appVersion": app_version or version,
                        "chartName": chart,
                        "chartVersion": version,
                        "configDigest": f"sha256:{self.hexs(64)}",
                        "digest": f"sha256:{self.hexs(64)}",
                        "firstDeployed": created,
                        "lastDeployed": at,
                        "name": name,
                        "namespace": ns,
                        "status": "deployed",
                        "version": revision,
                    }
                ]
            status["lastAttemptedConfigDigest"] = f"sha256:{self.hexs(64)}"
            status["lastAttemptedGeneration"] = 1
            status["lastAttemptedReleaseAction"] = "install" if revision == 1 else "upgrade"
            status["lastAttemptedRevision"] = version
            status["observedGeneration"] = 1
            status["storageNamespace"] = ns
        else:
            st, reason, msg = ready
            status["conditions"] = [self.cond("Ready", st, reason, msg, at)]
            status["helmChart"] = f"{FLUX_NS}/{ns}-{name}"
            status["lastAttemptedRevision"] = version
            status["observedGeneration"] = 1
        if api != "v2":
            # v2beta1 status shape: lastAppliedRevision/lastReleaseRevision, no history
            status.pop("history", None)
            status.pop("lastAttemptedReleaseAction", None)
            status.pop("lastAttemptedConfigDigest", None)
            status.pop("lastAttemptedGeneration", None)
            if ready is None:
                status["lastAppliedRevision"] = version
                status["lastReleaseRevision"] = revision
            status["failures"] = 0 if ready is None else 14
        return self.cr(
            file,
            f"helm.toolkit.fluxcd.io/{api}",
            "HelmRelease",
            name,
            ns,
            created=created,
            ks=ks,
            finalizers=["finalizers.fluxcd.io"],
            spec=spec,
            status=status,
        )

    # ------------------------------------------------------------ Gateway API
    def http_route(
        self,
        ns: str,
        name: str,
        host: str,
        backend: str,
        port: int,
        *,
        created: str,
        ks: str | None = None,
        file: str | None = None,
        section: str = "https",
        resolved: tuple[str, str, str] = ("True", "ResolvedRefs", "Service reference is valid"),
        backend_ns: str | None = None,
        helm: tuple[str, str] | None = None,
        filters: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        parent = {
            "group": "gateway.networking.k8s.io",
            "kind": "Gateway",
            "name": GW_NAME,
            "namespace": GW_NS,
            "sectionName": section,
        }
        be: dict[str, Any] = {"group": "", "kind": "Service", "name": backend}
        if backend_ns:
            be["namespace"] = backend_ns
        be.update({"port": port, "weight": 1})
        rule: dict[str, Any] = {"backendRefs": [be]}
        if filters:
            rule["filters"] = filters
        rule["matches"] = [{"path": {"type": "PathPrefix", "value": "/"}}]
        at = plus(created, seconds=2)
        st, reason, msg = resolved
        status = {
            "parents": [
                {
                    "conditions": [
                        self.cond("Accepted", "True", "Accepted", "Accepted HTTPRoute", at),
                        self.cond("ResolvedRefs", st, reason, msg, at),
                    ],
                    "controllerName": CILIUM_GW,
                    "parentRef": parent,
                }
            ]
        }
        return self.cr(
            file or f"apps-{ns}.yaml",
            "gateway.networking.k8s.io/v1",
            "HTTPRoute",
            name,
            ns,
            created=created,
            ks=ks,
            helm=helm,
            spec={"hostnames": [host], "parentRefs": [parent], "rules": [rule]},
            status=status,
        )

    # ------------------------------------------------------------ apps
    def app(
        self,
        ns: str,
        name: str,
        image: str,
        port: int,
        *,
        node: str,
        created: str,
        ks: str | None,
        file: str | None = None,
        pvc: tuple[str, str, str] | None = None,
        route: bool = True,
        host: str | None = None,
        mode: str = "running",
        plan: dict[str, Any] | None = None,
        gpu: int = 0,
        intel_gpu: bool = False,
        env: list[dict[str, Any]] | None = None,
        replicas: int | None = None,
        node_selector: dict[str, str] | None = None,
        priority: str | None = None,
        resources: dict[str, Any] | None = None,
        extra_volumes: list[tuple[dict[str, Any], dict[str, Any]]] | None = None,
        args: list[str] | None = None,
        labels: dict[str, str] | None = None,
        helm: tuple[str, str] | None = None,
        strategy: dict[str, Any] | None = None,
        probe_path: str | None = "/",
        tolerations: list[dict[str, Any]] | None = None,
        svc_name: str | None = None,
        command: list[str] | None = None,
        pods: list[dict[str, Any]] | None = None,
        nfs_media: bool = False,
    ) -> dict[str, Any]:
        """Deployment + pod(s) + Service (+ PVC/PV, HTTPRoute). pvc: (claim name, size, storage class)."""
        file = file or f"apps-{ns}.yaml"
        sel = {"app.kubernetes.io/instance": name, "app.kubernetes.io/name": name}
        c: dict[str, Any] = {"image": image, "name": name, "ports": [{"containerPort": port, "name": "http"}]}
        if command:
            c["command"] = command
        if args:
            c["args"] = args
        if env:
            c["env"] = env
        res = resources or {"limits": {"memory": "1Gi"}, "requests": {"cpu": "50m", "memory": "256Mi"}}
        res = {k: dict(v) for k, v in res.items()}
        if gpu:
            res.setdefault("limits", {})["nvidia.com/gpu"] = str(gpu)
            res.setdefault("requests", {})["nvidia.com/gpu"] = str(gpu)
        if intel_gpu:
            res.setdefault("limits", {})["gpu.intel.com/i915"] = "1"
            res.setdefault("requests", {})["gpu.intel.com/i915"] = "1"
        c["resources"] = res
        if probe_path:
            c["readinessProbe"] = {"httpGet": {"path": probe_path, "port": "http"}, "initialDelaySeconds": 10}
        mounts: list[dict[str, Any]] = []
        vols: list[dict[str, Any]] = []
        if pvc:
            mounts.append({"mountPath": "/config", "name": "config"})
            vols.append({"name": "config", "persistentVolumeClaim": {"claimName": pvc[0]}})
        if nfs_media:
            mounts.append({"mountPath": "/media", "name": "media"})
            vols.append({"name": "media", "nfs": {"path": "/mnt/rust/media", "server": "192.168.10.100"}})
        for mount, vol in extra_volumes or []:
            mounts.append(mount)
            vols.append(vol)
        if mounts:
            c["volumeMounts"] = mounts
        spec: dict[str, Any] = {"containers": [c]}
        if vols:
            spec["volumes"] = vols
        if node_selector:
            spec["nodeSelector"] = node_selector
        if priority:
            spec["priorityClassName"] = priority
        if tolerations:
            spec["tolerations"] = tolerations
        if gpu:
            spec["runtimeClassName"] = "nvidia"
        if pvc or gpu:
            strategy = strategy or {"type": "Recreate"}
        pod_plans = pods if pods is not None else [{"node": node, "mode": mode, **(plan or {})}]
        dep = self.deployment(
            file,
            ns,
            name,
            spec=spec,
            created=created,
            pods=pod_plans,
            replicas=replicas,
            labels={**sel, **(labels or {})},
            selector=sel,
            ks=ks,
            helm=helm,
            strategy=strategy,
            rs_created=plus(created, seconds=1),
        )
        svc = self.service(
            file,
            ns,
            svc_name or name,
            selector=sel,
            created=created,
            labels=sel,
            ks=ks,
            helm=helm,
            ports=[{"name": "http", "port": port, "targetPort": "http"}],
        )
        dep["_svc"] = svc
        if pvc:
            claim, size, sc = pvc
            prov = {"local-path": "rancher.io/local-path", "nfs": "nfs.csi.k8s.io"}.get(
                sc, "driver.longhorn.io"
            )
            p = self.pvc(
                file,
                ns,
                claim,
                size=size,
                sc=sc,
                created=plus(created, seconds=-30),
                provisioner=prov,
                ks=ks,
                labels=sel,
                selected_node=node if sc == "local-path" else None,
            )
            self.pv_for(
                p,
                driver=prov,
                local_path_node=node if sc == "local-path" else None,
                attrs=_longhorn_attrs(sc) if prov == "driver.longhorn.io" else None,
                nfs=("192.168.10.100", "/mnt/nvme_storage") if prov == "nfs.csi.k8s.io" else None,
            )
            dep["_pvc"] = p
        if route:
            self.http_route(
                ns,
                name,
                host or f"{name}.{DOMAIN}",
                svc_name or name,
                port,
                created=plus(created, seconds=3),
                ks=ks,
                file=file,
            )
        return cast("dict[str, Any]", dep)

    # ------------------------------------------------------------ output
    def manifest(
        self,
        captured_at: str,
        extra_kinds: list[str] | None = None,
        server_version: str = "v1.32.5+k3s1",
        base: list[str] | None = None,
    ) -> dict[str, Any]:
        gks = set(ALWAYS_CAPTURED if base is None else base) | set(extra_kinds or [])
        for obj in self.all_objects():
            api = obj["apiVersion"]
            group = api.rpartition("/")[0] if "/" in api else ""
            gks.add(f"{obj['kind']}.{group}" if group else obj["kind"])
        return {
            "schema": "homelabctl.snapshot/v1",
            "capturedAt": captured_at,
            "serverVersion": server_version,
            "kinds": {"captured": sorted(gks), "forbidden": {}, "notInstalled": {}},
        }

    def finish(self) -> None:
        self.endpoint_slices()
        self.fill_inventories()
        strip_private(self.all_objects())

    def write_dir(
        self, outdir: Path, captured_at: str, extra_kinds: list[str] | None = None, header: str | None = None
    ) -> int:
        self.finish()
        outdir.mkdir(parents=True, exist_ok=True)
        for old in outdir.glob("*.yaml"):
            old.unlink()
        n = self.write(outdir, header=header)
        (outdir / "homelabctl-manifest.json").write_text(
            json.dumps(self.manifest(captured_at, extra_kinds), indent=2) + "\n"
        )
        return cast("int", n)

    def write_scenario(
        self, outdir: Path, captured_at: str, extra_kinds: list[str] | None = None, header: str | None = None
    ) -> int:
        self.finish()
        n = self.write_single(outdir / "snapshot.yaml", header=header)
        (outdir / "homelabctl-manifest.json").write_text(
            json.dumps(self.manifest(captured_at, extra_kinds, base=SCENARIO_CAPTURED), indent=2) + "\n"
        )
        return cast("int", n)


def _longhorn_attrs(sc: str) -> dict[str, str]:
    attrs = {
        "dataEngine": "v1",
        "dataLocality": "disabled",
        "disableRevisionCounter": "true",
        "fromBackup": "",
        "fsType": "ext4",
        "numberOfReplicas": "3" if sc == "longhorn" else "1",
        "staleReplicaTimeout": "30",
        "storage.kubernetes.io/csiProvisionerIdentity": "1749912345678-8081-driver.longhorn.io",
    }
    if sc != "longhorn":
        attrs["diskSelector"] = sc.removeprefix("longhorn-")
        attrs["nodeSelector"] = "storage"
    return attrs


__all__ = ["CLUSTER_BORN", "DOMAIN", "FLUX_NS", "GW_IP", "GW_NAME", "GW_NS", "K3S_KUBELET", "Lab"]
