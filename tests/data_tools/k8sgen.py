"""Generator of kubectl-shaped Kubernetes objects for the demo snapshot and the scenario suite."""

from __future__ import annotations

import base64
import copy
import json
import random
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

UTC = UTC
ALPH = "bcdfghjklmnpqrstvwxz2456789"
FLUX_NS = "flux-system"
K3S_KUBELET = "/var/lib/rancher/k3s/agent/kubelet"


def parse(s: str) -> datetime:
    return datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def fmt(d: datetime) -> str:
    return d.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def plus(s: str, **kw: float) -> str:
    return fmt(parse(s) + timedelta(**kw))


def b64(s: str | bytes) -> str:
    if isinstance(s, str):
        s = s.encode()
    return base64.b64encode(s).decode()


class _Dumper(yaml.SafeDumper):
    pass


def _str_rep(dumper: yaml.SafeDumper, data: str) -> yaml.Node:
    if "\n" in data:
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", data)


_Dumper.add_representer(str, _str_rep)


class Gen:
    def __init__(self, seed: str, now: str, rv_base: int = 3_100_000) -> None:
        self.rng = random.Random(seed)
        self.now = now
        self.files: dict[str, list[dict[str, Any]]] = {}
        self._rv = rv_base
        self.nodes: dict[str, dict[str, Any]] = {}
        self.node_ip: dict[str, str] = {}
        self.node_cidr: dict[str, str] = {}
        self._pod_ip_used: set[str] = set()
        self._svc_ip_used: set[str] = set()
        self._digests: dict[str, str] = {}
        self.ks_inventory: dict[str, list[tuple[str, str, str, str, str]]] = {}
        self.pods_by_node: dict[str, list[dict[str, Any]]] = {}

    # ---------------------------------------------------------------- basics
    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def hexs(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def sfx(self, n: int) -> str:
        return "".join(self.rng.choice(ALPH) for _ in range(n))

    def rv(self) -> str:
        self._rv += self.rng.randint(7, 911)
        return str(self._rv)

    def ago(self, **kw: float) -> str:
        return fmt(parse(self.now) - timedelta(**kw))

    def add(self, file: str, obj: dict[str, Any]) -> dict[str, Any]:
        self.files.setdefault(file, []).append(obj)
        return obj

    def all_objects(self) -> list[dict[str, Any]]:
        return [o for objs in self.files.values() for o in objs]

    def meta(
        self,
        name: str,
        ns: str | None = None,
        *,
        created: str,
        labels: dict[str, str] | None = None,
        annotations: dict[str, str] | None = None,
        owner: dict[str, Any] | None = None,
        generation: int | None = None,
        finalizers: list[str] | None = None,
        ks: str | None = None,
        helm: tuple[str, str] | None = None,
        kind: str = "",
        group: str = "",
        version: str = "v1",
    ) -> dict[str, Any]:
        md: dict[str, Any] = {}
        ann = dict(annotations or {})
        lab = dict(labels or {})
        if helm:
            rel, relns = helm
            ann.setdefault("meta.helm.sh/release-name", rel)
            ann.setdefault("meta.helm.sh/release-namespace", relns)
            lab.setdefault("app.kubernetes.io/managed-by", "Helm")
            lab["helm.toolkit.fluxcd.io/name"] = rel
            lab["helm.toolkit.fluxcd.io/namespace"] = relns
        if ks:
            lab["kustomize.toolkit.fluxcd.io/name"] = ks
            lab["kustomize.toolkit.fluxcd.io/namespace"] = FLUX_NS
            self.ks_inventory.setdefault(ks, []).append((ns or "", name, group, kind, version))
        if ann:
            md["annotations"] = dict(sorted(ann.items()))
        md["creationTimestamp"] = created
        if finalizers:
            md["finalizers"] = finalizers
        if generation is not None:
            md["generation"] = generation
        if lab:
            md["labels"] = dict(sorted(lab.items()))
        md["name"] = name
        if ns:
            md["namespace"] = ns
        if owner is not None:
            md["ownerReferences"] = [owner_ref(owner)]
        md["resourceVersion"] = self.rv()
        md["uid"] = self.uid()
        return md

    def digest(self, image: str) -> str:
        repo = image.split("@")[0].rsplit(":", 1)[0] if ":" in image.split("/")[-1] else image
        if repo not in self._digests:
            self._digests[repo] = self.hexs(64)
        return self._digests[repo]

    def pod_ip(self, node: str) -> str:
        base = self.node_cidr[node].rsplit(".", 1)[0]
        while True:
            ip = f"{base}.{self.rng.randint(2, 250)}"
            if ip not in self._pod_ip_used:
                self._pod_ip_used.add(ip)
                return ip

    def svc_ip(self) -> str:
        while True:
            ip = f"10.43.{self.rng.randint(0, 255)}.{self.rng.randint(1, 254)}"
            if ip not in self._svc_ip_used:
                self._svc_ip_used.add(ip)
                return ip

    # ---------------------------------------------------------------- yaml out
    def write(self, outdir: Path, header: str | None = None) -> int:
        outdir.mkdir(parents=True, exist_ok=True)
        total = 0
        for fname, objs in self.files.items():
            doc = {"apiVersion": "v1", "items": objs, "kind": "List", "metadata": {"resourceVersion": ""}}
            text = yaml.dump(
                doc, Dumper=_Dumper, sort_keys=False, default_flow_style=False, width=1000, allow_unicode=True
            )
            if header:
                text = header + text
            (outdir / fname).write_text(text)
            total += len(objs)
        return total

    def write_single(self, path: Path, header: str | None = None) -> int:
        objs = self.all_objects()
        doc = {"apiVersion": "v1", "items": objs, "kind": "List", "metadata": {"resourceVersion": ""}}
        text = yaml.dump(
            doc, Dumper=_Dumper, sort_keys=False, default_flow_style=False, width=1000, allow_unicode=True
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text((header or "") + text)
        return len(objs)

    # ---------------------------------------------------------------- nodes
    def node(
        self,
        name: str,
        ip: str,
        cidr: str,
        *,
        created: str,
        control_plane: bool = False,
        kubelet: str = "v1.32.5+k3s1",
        kernel: str = "5.15.0-141-generic",
        cpu: str = "4",
        mem_ki: int = 8131428,
        eph_ki: int = 24590672,
        extra_capacity: dict[str, str] | None = None,
        labels: dict[str, str] | None = None,
        node_args: list[str] | None = None,
        state: str = "ready",
        down_since: str | None = None,
        heartbeat: str | None = None,
        csi_drivers: list[str] | None = None,
        ready_since: str | None = None,
        taints: list[dict[str, Any]] | None = None,
        unschedulable: bool = False,
        notready_reason: tuple[str, str] | None = None,
        cilium_down_since: str | None = None,
        file: str = "nodes.yaml",
    ) -> dict[str, Any]:
        self.node_ip[name] = ip
        self.node_cidr[name] = cidr.split("/")[0]
        lab = {
            "beta.kubernetes.io/arch": "amd64",
            "beta.kubernetes.io/instance-type": "k3s",
            "beta.kubernetes.io/os": "linux",
            "kubernetes.io/arch": "amd64",
            "kubernetes.io/hostname": name,
            "kubernetes.io/os": "linux",
            "node.kubernetes.io/instance-type": "k3s",
        }
        if control_plane:
            lab["node-role.kubernetes.io/control-plane"] = "true"
            lab["node-role.kubernetes.io/master"] = "true"
        lab.update(labels or {})
        args = node_args or (["server"] if control_plane else ["agent"])
        env = (
            {
                "K3S_DATA_DIR": "/var/lib/rancher/k3s/data/3c1d3bd1b1fa8e9a1a4d0aaf2ff4bdbf6ad3a8b1d1c1a8c0f5f3f3c61aa01c1c"
            }
            if control_plane
            else {
                "K3S_DATA_DIR": "/var/lib/rancher/k3s/data/3c1d3bd1b1fa8e9a1a4d0aaf2ff4bdbf6ad3a8b1d1c1a8c0f5f3f3c61aa01c1c",
                "K3S_TOKEN": "********",
                "K3S_URL": "https://192.168.10.30:6443",
            }
        )
        ann = {
            "alpha.kubernetes.io/provided-node-ip": ip,
            "k3s.io/hostname": name,
            "k3s.io/internal-ip": ip,
            "k3s.io/node-args": json.dumps(args, separators=(",", ":")),
            "k3s.io/node-config-hash": base64.b32encode(
                bytes(self.rng.getrandbits(8) for _ in range(30))
            ).decode()[:52]
            + "====",
            "k3s.io/node-env": json.dumps(env, separators=(",", ":")),
            "node.alpha.kubernetes.io/ttl": "0",
            "volumes.kubernetes.io/controller-managed-attach-detach": "true",
        }
        drivers = csi_drivers if csi_drivers is not None else ["driver.longhorn.io", "nfs.csi.k8s.io"]
        if drivers:
            ann["csi.volume.kubernetes.io/nodeid"] = json.dumps(
                dict.fromkeys(drivers, name), separators=(",", ":")
            )
        md = self.meta(name, created=created, labels=lab, annotations=ann, finalizers=None)
        spec: dict[str, Any] = {"podCIDR": cidr, "podCIDRs": [cidr], "providerID": f"k3s://{name}"}
        if taints:
            spec["taints"] = taints
        if unschedulable:
            spec["unschedulable"] = True
        cap = {
            "cpu": cpu,
            "ephemeral-storage": f"{eph_ki}Ki",
            "hugepages-1Gi": "0",
            "hugepages-2Mi": "0",
            "memory": f"{mem_ki}Ki",
            "pods": "110",
        }
        cap.update(extra_capacity or {})
        alloc = dict(cap)
        alloc["ephemeral-storage"] = str(int(eph_ki * 1024 * 0.95) + self.rng.randint(0, 999))
        rs = ready_since or plus(created, minutes=1)
        hb = heartbeat or self.ago(seconds=self.rng.randint(15, 290))
        conds: list[dict[str, Any]] = []
        if state == "unknown":
            assert down_since
            hb = heartbeat or plus(down_since, seconds=-43)
            if cilium_down_since:
                conds.append(
                    {
                        "lastHeartbeatTime": cilium_down_since,
                        "lastTransitionTime": cilium_down_since,
                        "message": "Cilium agent is down on this node",
                        "reason": "CiliumIsDown",
                        "status": "True",
                        "type": "NetworkUnavailable",
                    }
                )
            else:
                conds.append(_cilium_up(rs))
            for ctype in ("MemoryPressure", "DiskPressure", "PIDPressure", "Ready"):
                conds.append(
                    {
                        "lastHeartbeatTime": hb,
                        "lastTransitionTime": down_since,
                        "message": "Kubelet stopped posting node status.",
                        "reason": "NodeStatusUnknown",
                        "status": "Unknown",
                        "type": ctype,
                    }
                )
        else:
            conds.append(_cilium_up(rs))
            conds.append(
                {
                    "lastHeartbeatTime": hb,
                    "lastTransitionTime": rs,
                    "message": "kubelet has sufficient memory available",
                    "reason": "KubeletHasSufficientMemory",
                    "status": "False",
                    "type": "MemoryPressure",
                }
            )
            conds.append(
                {
                    "lastHeartbeatTime": hb,
                    "lastTransitionTime": rs,
                    "message": "kubelet has no disk pressure",
                    "reason": "KubeletHasNoDiskPressure",
                    "status": "False",
                    "type": "DiskPressure",
                }
            )
            conds.append(
                {
                    "lastHeartbeatTime": hb,
                    "lastTransitionTime": rs,
                    "message": "kubelet has sufficient PID available",
                    "reason": "KubeletHasSufficientPID",
                    "status": "False",
                    "type": "PIDPressure",
                }
            )
            if state == "notready":
                reason, msg = notready_reason or (
                    "KubeletNotReady",
                    "container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized",
                )
                conds.append(
                    {
                        "lastHeartbeatTime": hb,
                        "lastTransitionTime": down_since or rs,
                        "message": msg,
                        "reason": reason,
                        "status": "False",
                        "type": "Ready",
                    }
                )
            else:
                conds.append(
                    {
                        "lastHeartbeatTime": hb,
                        "lastTransitionTime": rs,
                        "message": "kubelet is posting ready status",
                        "reason": "KubeletReady",
                        "status": "True",
                        "type": "Ready",
                    }
                )
        status = {
            "addresses": [{"address": ip, "type": "InternalIP"}, {"address": name, "type": "Hostname"}],
            "allocatable": alloc,
            "capacity": cap,
            "conditions": conds,
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "nodeInfo": {
                "architecture": "amd64",
                "bootID": self.uid(),
                "containerRuntimeVersion": "containerd://2.0.5-k3s1",
                "kernelVersion": kernel,
                "kubeProxyVersion": "",
                "kubeletVersion": kubelet,
                "machineID": self.hexs(32),
                "operatingSystem": "linux",
                "osImage": "Ubuntu 22.04.5 LTS",
                "systemUUID": self.uid().upper() if control_plane else self.uid(),
            },
        }
        obj = {"apiVersion": "v1", "kind": "Node", "metadata": md, "spec": spec, "status": status}
        self.nodes[name] = obj
        self.add(file, obj)
        return obj

    def csinode(self, node: str, drivers: list[str], file: str = "storage.yaml") -> dict[str, Any]:
        n = self.nodes[node]
        md = self.meta(node, created=plus(n["metadata"]["creationTimestamp"], seconds=4))
        md["ownerReferences"] = [
            {"apiVersion": "v1", "kind": "Node", "name": node, "uid": n["metadata"]["uid"]}
        ]
        spec = {"drivers": [{"name": d, "nodeID": node, "topologyKeys": None} for d in drivers] or None}
        return self.add(
            file, {"apiVersion": "storage.k8s.io/v1", "kind": "CSINode", "metadata": md, "spec": spec}
        )

    # ---------------------------------------------------------------- pods
    def pod(
        self,
        file: str,
        *,
        name: str,
        ns: str,
        node: str | None,
        labels: dict[str, str],
        spec: dict[str, Any],
        owner: dict[str, Any] | None,
        created: str,
        plan: dict[str, Any],
        annotations: dict[str, str] | None = None,
        ds: bool = False,
        generate_name: str | None = None,
        sa: str = "default",
    ) -> dict[str, Any]:
        """plan keys: mode (running|crash|notready|creating|unschedulable|succeeded|failed|init),
        started, restarts, crash{container: {...}}, frozen (node-controller marked NotReady at), deletion,
        unsched_msg, ready_at, finished."""
        md = self.meta(name, ns, created=created, labels=labels, annotations=annotations)
        if owner is not None:
            md["ownerReferences"] = [owner_ref(owner)]
        if generate_name:
            md = {"generateName": generate_name, **md}
        if plan.get("deletion"):
            md = {
                "deletionGracePeriodSeconds": plan.get("grace", 30),
                "deletionTimestamp": plan["deletion"],
                **md,
            }
            md = dict(sorted(md.items()))
        pspec = copy.deepcopy(spec)
        host_network = bool(pspec.get("hostNetwork"))
        default_podspec(
            pspec,
            sa=sa,
            ds_node=node if ds else None,
            host_network=host_network,
            api_volume=f"kube-api-access-{self.sfx(5)}",
        )
        if node:
            pspec["nodeName"] = node
        mode = plan.get("mode", "running")
        started = plan.get("started") or plus(created, seconds=self.rng.randint(1, 4))
        restarts = plan.get("restarts", 0)
        containers = pspec["containers"]
        inits = pspec.get("initContainers") or []
        status: dict[str, Any] = {}
        conds: list[dict[str, Any]] = []
        if mode == "unschedulable":
            conds.append(
                {
                    "lastProbeTime": None,
                    "lastTransitionTime": plan.get("unsched_since", created),
                    "message": plan["unsched_msg"],
                    "reason": "Unschedulable",
                    "status": "False",
                    "type": "PodScheduled",
                }
            )
            status = {"conditions": conds, "phase": "Pending", "qosClass": qos(containers)}
            obj = {"apiVersion": "v1", "kind": "Pod", "metadata": md, "spec": pspec, "status": status}
            return self.add(file, obj)
        assert node
        sched = plus(created, seconds=0)
        init_done = plus(started, seconds=self.rng.randint(2, 25)) if inits else started
        ready_at = plan.get("ready_at") or plus(init_done, seconds=self.rng.randint(3, 40))
        cstats: list[dict[str, Any]] = []
        istats: list[dict[str, Any]] = []
        for ic in inits:
            if mode in ("creating", "init"):
                istats.append(self._cs(ic, "waiting", reason="PodInitializing"))
            else:
                istats.append(
                    self._cs(
                        ic, "completed", started=plus(started, seconds=1), finished=plus(started, seconds=2)
                    )
                )
        all_ready = True
        unready: list[str] = []
        for c in containers:
            cname = c["name"]
            crash = (plan.get("crash") or {}).get(cname)
            if mode == "creating":
                cs = self._cs(c, "creating")
            elif mode in ("succeeded", "failed"):
                cs = self._cs(
                    c,
                    "completed",
                    started=init_done,
                    finished=plan["finished"],
                    exit_code=0 if mode == "succeeded" else plan.get("exit_code", 1),
                    reason="Completed" if mode == "succeeded" else "Error",
                    message=plan.get("message"),
                )
            elif crash:
                cs = self._cs(
                    c,
                    "crash",
                    pod=f"{name}_{ns}({md['uid']})",
                    restarts=crash.get("restarts", restarts),
                    last=crash,
                )
            else:
                cready = not (mode == "notready" and cname in plan.get("unready", [cname]))
                last = (plan.get("last") or {}).get(cname)
                cs = self._cs(
                    c,
                    "running",
                    started=plan.get("cstarted", {}).get(cname, init_done),
                    restarts=(plan.get("crestarts") or {}).get(cname, restarts),
                    ready=cready,
                    last=last,
                )
            if not cs["ready"]:
                all_ready = False
                unready.append(cname)
            cstats.append(cs)
        if mode in ("succeeded", "failed"):
            all_ready = False
        ready_reason = None
        if mode in ("succeeded", "failed"):
            ready_reason = "PodCompleted"
        elif not all_ready:
            ready_reason = "ContainersNotReady"
        unready_msg = f"containers with unready status: [{' '.join(unready)}]" if unready else None
        # conditions in kubelet order
        prs = "False" if mode in ("creating", "succeeded", "failed") else "True"
        conds.append(
            {
                "lastProbeTime": None,
                "lastTransitionTime": plan.get("sandbox_at", plus(started, seconds=1))
                if prs == "True"
                else (plan.get("finished") or started),
                "status": prs,
                "type": "PodReadyToStartContainers",
            }
        )
        if inits and mode in ("creating", "init"):
            conds.append(
                {
                    "lastProbeTime": None,
                    "lastTransitionTime": started,
                    "message": f"containers with incomplete status: [{' '.join(i['name'] for i in inits)}]",
                    "reason": "ContainersNotInitialized",
                    "status": "False",
                    "type": "Initialized",
                }
            )
        else:
            conds.append(
                {
                    "lastProbeTime": None,
                    "lastTransitionTime": init_done,
                    "status": "True",
                    "type": "Initialized",
                }
            )
        rtime = plan.get("unready_since") or (ready_at if all_ready else plan.get("crash_since", ready_at))
        if mode in ("creating",):
            rtime = started
        if mode in ("succeeded", "failed"):
            rtime = plan["finished"]
        ready_c: dict[str, Any] = {
            "lastProbeTime": None,
            "lastTransitionTime": rtime,
            "status": "True" if all_ready else "False",
            "type": "Ready",
        }
        cr_c: dict[str, Any] = {
            "lastProbeTime": None,
            "lastTransitionTime": rtime,
            "status": "True" if all_ready else "False",
            "type": "ContainersReady",
        }
        if ready_reason:
            ready_c["reason"] = ready_reason
            cr_c["reason"] = ready_reason
            if unready_msg and ready_reason == "ContainersNotReady":
                ready_c["message"] = unready_msg
                cr_c["message"] = unready_msg
        if plan.get("frozen"):
            # node lifecycle controller marks Ready=False when the kubelet stops reporting (no reason set)
            ready_c = {
                "lastProbeTime": None,
                "lastTransitionTime": plan["frozen"],
                "status": "False",
                "type": "Ready",
            }
        conds.append(ready_c)
        conds.append(cr_c)
        conds.append(
            {"lastProbeTime": None, "lastTransitionTime": sched, "status": "True", "type": "PodScheduled"}
        )
        host_ip = self.node_ip[node]
        pod_ip = host_ip if host_network else (None if mode == "creating" else self.pod_ip(node))
        phase = {"creating": "Pending", "init": "Pending", "succeeded": "Succeeded", "failed": "Failed"}.get(
            mode, "Running"
        )
        status = {
            "conditions": conds,
            "containerStatuses": cstats,
            "hostIP": host_ip,
            "hostIPs": [{"ip": host_ip}],
        }
        if istats:
            status["initContainerStatuses"] = istats
        status["phase"] = phase
        if pod_ip and mode not in ("succeeded", "failed"):
            status["podIP"] = pod_ip
            status["podIPs"] = [{"ip": pod_ip}]
        status["qosClass"] = qos(containers)
        status["startTime"] = started
        obj = {"apiVersion": "v1", "kind": "Pod", "metadata": md, "spec": pspec, "status": status}
        self.pods_by_node.setdefault(node, []).append(obj)
        return self.add(file, obj)

    def _cs(
        self,
        c: dict[str, Any],
        kind: str,
        *,
        started: str | None = None,
        finished: str | None = None,
        restarts: int = 0,
        ready: bool = True,
        last: dict[str, Any] | None = None,
        pod: str = "",
        exit_code: int = 0,
        reason: str | None = None,
        message: str | None = None,
    ) -> dict[str, Any]:
        image = c["image"]
        full = full_image(image)
        image_id = f"{full.split('@')[0].rsplit(':', 1)[0]}@sha256:{self.digest(image)}"
        cs: dict[str, Any] = {
            "containerID": f"containerd://{self.hexs(64)}",
            "image": full,
            "imageID": image_id,
        }
        st: dict[str, Any]
        if kind == "running":
            st = {"running": {"startedAt": started}}
            cs.update(
                {
                    "lastState": {},
                    "name": c["name"],
                    "ready": ready,
                    "restartCount": restarts,
                    "started": True,
                    "state": st,
                }
            )
            if last:
                cs["lastState"] = {"terminated": self._term(last)}
        elif kind == "crash":
            assert last
            cs.update(
                {
                    "lastState": {"terminated": self._term(last)},
                    "name": c["name"],
                    "ready": False,
                    "restartCount": restarts,
                    "started": False,
                    "state": {
                        "waiting": {
                            "message": f"back-off 5m0s restarting failed container={c['name']} pod={pod}",
                            "reason": "CrashLoopBackOff",
                        }
                    },
                }
            )
        elif kind == "creating":
            cs = {
                "image": full,
                "imageID": "",
                "lastState": {},
                "name": c["name"],
                "ready": False,
                "restartCount": 0,
                "started": False,
                "state": {"waiting": {"reason": "ContainerCreating"}},
            }
        elif kind == "waiting":
            cs = {
                "image": full,
                "imageID": "",
                "lastState": {},
                "name": c["name"],
                "ready": False,
                "restartCount": 0,
                "started": False,
                "state": {"waiting": {"reason": reason or "PodInitializing"}},
            }
        elif kind == "completed":
            t: dict[str, Any] = {
                "containerID": cs["containerID"],
                "exitCode": exit_code,
                "finishedAt": finished,
            }
            if message:
                t["message"] = message
            t.update({"reason": reason or "Completed", "startedAt": started})
            cs.update(
                {
                    "lastState": {},
                    "name": c["name"],
                    "ready": False,
                    "restartCount": restarts,
                    "started": False,
                    "state": {"terminated": t},
                }
            )
        else:
            raise ValueError(kind)
        if "volumeMounts" in c and kind in ("running", "crash", "completed"):
            pass
        return cs

    def _term(self, last: dict[str, Any]) -> dict[str, Any]:
        t: dict[str, Any] = {
            "containerID": f"containerd://{self.hexs(64)}",
            "exitCode": last.get("exit", 1),
            "finishedAt": last["finished"],
        }
        if last.get("message"):
            t["message"] = last["message"]
        t["reason"] = last.get("reason", "Error")
        t["startedAt"] = last["started"]
        return t

    # ---------------------------------------------------------------- workloads
    def deployment(
        self,
        file: str,
        ns: str,
        name: str,
        *,
        spec: dict[str, Any],
        created: str,
        pods: list[dict[str, Any]],
        replicas: int | None = None,
        labels: dict[str, str] | None = None,
        selector: dict[str, str] | None = None,
        tpl_labels: dict[str, str] | None = None,
        ks: str | None = None,
        helm: tuple[str, str] | None = None,
        revision: int = 1,
        strategy: dict[str, Any] | None = None,
        rs_created: str | None = None,
        annotations: dict[str, str] | None = None,
        tpl_annotations: dict[str, str] | None = None,
        sa: str | None = None,
        progress_since: str | None = None,
        available_since: str | None = None,
    ) -> dict[str, Any]:
        selector = selector or {"app.kubernetes.io/name": name}
        tpl_labels = dict(tpl_labels or selector)
        labels = labels or dict(selector)
        replicas = len([p for p in pods if not p.get("deletion")]) if replicas is None else replicas
        gen = revision + (1 if replicas == 0 else 0)
        tspec = copy.deepcopy(spec)
        sa = sa or tspec.get("serviceAccountName") or "default"
        if sa != "default":
            tspec["serviceAccountName"] = sa
        default_podspec(
            tspec,
            sa=None,
            ds_node=None,
            host_network=bool(tspec.get("hostNetwork")),
            api_volume=None,
            template=True,
        )
        dep: dict[str, Any] = {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": self.meta(
                name,
                ns,
                created=created,
                labels=labels,
                generation=gen,
                ks=ks,
                helm=helm,
                kind="Deployment",
                group="apps",
                annotations={"deployment.kubernetes.io/revision": str(revision), **(annotations or {})},
            ),
            "spec": {
                "progressDeadlineSeconds": 600,
                "replicas": replicas,
                "revisionHistoryLimit": 10,
                "selector": {"matchLabels": selector},
                "strategy": strategy
                or {"rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}, "type": "RollingUpdate"},
                "template": {
                    "metadata": {
                        "annotations": tpl_annotations,
                        "creationTimestamp": None,
                        "labels": tpl_labels,
                    },
                    "spec": tspec,
                },
            },
        }
        if not tpl_annotations:
            del dep["spec"]["template"]["metadata"]["annotations"]
        hsh = self.sfx(10 if self.rng.random() < 0.7 else 9)
        rs_name = f"{name}-{hsh}"
        rs_created = rs_created or plus(created, seconds=0)
        rs_labels = {**tpl_labels, "pod-template-hash": hsh}
        active = [p for p in pods if not p.get("deletion")]
        ready = sum(1 for p in active if p.get("mode", "running") == "running" and not p.get("frozen"))
        rs: dict[str, Any] = {
            "apiVersion": "apps/v1",
            "kind": "ReplicaSet",
            "metadata": self.meta(
                rs_name,
                ns,
                created=rs_created,
                labels=rs_labels,
                owner=dep,
                generation=gen,
                annotations={
                    "deployment.kubernetes.io/desired-replicas": str(replicas),
                    "deployment.kubernetes.io/max-replicas": str(
                        replicas
                        + (
                            0
                            if strategy and strategy.get("type") == "Recreate"
                            else max(1, (replicas + 3) // 4)
                        )
                    ),
                    "deployment.kubernetes.io/revision": str(revision),
                    **(
                        dict(
                            (
                                (
                                    helm
                                    and {
                                        "meta.helm.sh/release-name": helm[0],
                                        "meta.helm.sh/release-namespace": helm[1],
                                    }
                                )
                                or {}
                            ).items()
                        )
                    ),
                },
            ),
            "spec": {
                "replicas": replicas,
                "selector": {"matchLabels": {**selector, "pod-template-hash": hsh}},
                "template": {
                    "metadata": {
                        "annotations": tpl_annotations,
                        "creationTimestamp": None,
                        "labels": rs_labels,
                    },
                    "spec": copy.deepcopy(tspec),
                },
            },
        }
        if not tpl_annotations:
            del rs["spec"]["template"]["metadata"]["annotations"]
        rs_status: dict[str, Any] = {"fullyLabeledReplicas": len(active)} if active else {}
        rs_status["observedGeneration"] = gen
        if ready:
            rs_status["availableReplicas"] = ready
            rs_status["readyReplicas"] = ready
        rs_status["replicas"] = len(active)
        rs["status"] = rs_status
        self.add(file, dep)
        self.add(file, rs)
        for p in pods:
            pname = p.get("name") or f"{rs_name}-{self.sfx(5)}"
            self.pod(
                file,
                name=pname,
                ns=ns,
                node=p.get("node"),
                labels=rs_labels,
                spec=tspec,
                owner=rs,
                created=p.get("created", plus(rs_created, seconds=1)),
                plan=p,
                annotations=tpl_annotations,
                generate_name=f"{rs_name}-",
                sa=sa,
            )
        # deployment status
        avail_since = available_since or plus(rs_created, seconds=40)
        conds = []
        if ready >= replicas:
            conds.append(
                {
                    "lastTransitionTime": avail_since,
                    "lastUpdateTime": avail_since,
                    "message": "Deployment has minimum availability.",
                    "reason": "MinimumReplicasAvailable",
                    "status": "True",
                    "type": "Available",
                }
            )
        else:
            conds.append(
                {
                    "lastTransitionTime": progress_since or avail_since,
                    "lastUpdateTime": progress_since or avail_since,
                    "message": "Deployment does not have minimum availability.",
                    "reason": "MinimumReplicasUnavailable",
                    "status": "False",
                    "type": "Available",
                }
            )
        conds.append(
            {
                "lastTransitionTime": plus(rs_created, seconds=0),
                "lastUpdateTime": plus(rs_created, seconds=42),
                "message": f'ReplicaSet "{rs_name}" has successfully progressed.',
                "reason": "NewReplicaSetAvailable",
                "status": "True",
                "type": "Progressing",
            }
        )
        st: dict[str, Any] = {}
        if ready:
            st["availableReplicas"] = ready
        st["conditions"] = conds
        st["observedGeneration"] = gen
        if ready:
            st["readyReplicas"] = ready
        if replicas:
            st["replicas"] = len(active)
        if replicas - ready > 0:
            st["unavailableReplicas"] = replicas - ready
        if replicas:
            st["updatedReplicas"] = len(active)
        dep["status"] = st
        dep["_rs"] = rs
        return dep

    def statefulset(
        self,
        file: str,
        ns: str,
        name: str,
        *,
        spec: dict[str, Any],
        created: str,
        pods: list[dict[str, Any]],
        labels: dict[str, str] | None = None,
        selector: dict[str, str] | None = None,
        tpl_labels: dict[str, str] | None = None,
        ks: str | None = None,
        helm: tuple[str, str] | None = None,
        service_name: str | None = None,
        vcts: list[dict[str, Any]] | None = None,
        owner: dict[str, Any] | None = None,
        sa: str | None = None,
        tpl_annotations: dict[str, str] | None = None,
        replicas: int | None = None,
    ) -> dict[str, Any]:
        selector = selector or {"app.kubernetes.io/name": name}
        tpl_labels = dict(tpl_labels or selector)
        labels = labels or dict(selector)
        replicas = len(pods) if replicas is None else replicas
        tspec = copy.deepcopy(spec)
        sa = sa or tspec.get("serviceAccountName") or "default"
        if sa != "default":
            tspec["serviceAccountName"] = sa
        default_podspec(tspec, sa=None, ds_node=None, host_network=False, api_volume=None, template=True)
        rev = (
            f"{name}-{self.sfx(10)}"
            if self.rng.random() < 0.6
            else f"{name}-{self.rng.randint(5000000, 9999999999)}"
        )
        sts: dict[str, Any] = {
            "apiVersion": "apps/v1",
            "kind": "StatefulSet",
            "metadata": self.meta(
                name,
                ns,
                created=created,
                labels=labels,
                generation=1,
                ks=ks,
                helm=helm,
                owner=owner,
                kind="StatefulSet",
                group="apps",
            ),
            "spec": {
                "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Retain", "whenScaled": "Retain"},
                "podManagementPolicy": "Parallel" if owner else "OrderedReady",
                "replicas": replicas,
                "revisionHistoryLimit": 10,
                "selector": {"matchLabels": selector},
                "serviceName": service_name or name,
                "template": {
                    "metadata": {
                        "annotations": tpl_annotations,
                        "creationTimestamp": None,
                        "labels": tpl_labels,
                    },
                    "spec": tspec,
                },
                "updateStrategy": {"rollingUpdate": {"partition": 0}, "type": "RollingUpdate"},
            },
        }
        if not tpl_annotations:
            del sts["spec"]["template"]["metadata"]["annotations"]
        if vcts:
            sts["spec"]["volumeClaimTemplates"] = vcts
        self.add(file, sts)
        ready = 0
        for i, p in enumerate(pods):
            pname = f"{name}-{i}"
            plab = {
                **tpl_labels,
                "apps.kubernetes.io/pod-index": str(i),
                "controller-revision-hash": rev,
                "statefulset.kubernetes.io/pod-name": pname,
            }
            pspec = copy.deepcopy(tspec)
            pspec["hostname"] = pname
            pspec["subdomain"] = service_name or name
            for vct in vcts or []:
                vn = vct["metadata"]["name"]
                pspec.setdefault("volumes", []).insert(
                    0, {"name": vn, "persistentVolumeClaim": {"claimName": f"{vn}-{pname}"}}
                )
            self.pod(
                file,
                name=pname,
                ns=ns,
                node=p.get("node"),
                labels=plab,
                spec=pspec,
                owner=sts,
                created=p.get("created", plus(created, seconds=2)),
                plan=p,
                annotations=tpl_annotations,
                generate_name=f"{name}-",
                sa=sa,
            )
            if p.get("mode", "running") == "running" and not p.get("frozen") and not p.get("deletion"):
                ready += 1
        st: dict[str, Any] = {
            "availableReplicas": ready,
            "collisionCount": 0,
            "currentReplicas": len(pods),
            "currentRevision": rev,
            "observedGeneration": 1,
        }
        if ready:
            st["readyReplicas"] = ready
        st.update({"replicas": len(pods), "updateRevision": rev, "updatedReplicas": len(pods)})
        sts["status"] = st
        return sts

    def daemonset(
        self,
        file: str,
        ns: str,
        name: str,
        *,
        spec: dict[str, Any],
        created: str,
        nodes: list[str],
        per_node: dict[str, dict[str, Any]] | None = None,
        labels: dict[str, str] | None = None,
        selector: dict[str, str] | None = None,
        tpl_labels: dict[str, str] | None = None,
        ks: str | None = None,
        helm: tuple[str, str] | None = None,
        sa: str | None = None,
        tpl_annotations: dict[str, str] | None = None,
        pods_created: str | None = None,
        meta_annotations: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        selector = selector or {"app.kubernetes.io/name": name}
        tpl_labels = dict(tpl_labels or selector)
        labels = labels or dict(selector)
        tspec = copy.deepcopy(spec)
        sa = sa or tspec.get("serviceAccountName") or "default"
        if sa != "default":
            tspec["serviceAccountName"] = sa
        default_podspec(
            tspec,
            sa=None,
            ds_node=None,
            host_network=bool(tspec.get("hostNetwork")),
            api_volume=None,
            template=True,
        )
        hsh = self.sfx(10) if self.rng.random() < 0.5 else str(self.rng.randint(100000000, 9999999999))
        ds: dict[str, Any] = {
            "apiVersion": "apps/v1",
            "kind": "DaemonSet",
            "metadata": self.meta(
                name,
                ns,
                created=created,
                labels=labels,
                generation=1,
                ks=ks,
                helm=helm,
                kind="DaemonSet",
                group="apps",
                annotations={"deprecated.daemonset.template.generation": "1", **(meta_annotations or {})},
            ),
            "spec": {
                "revisionHistoryLimit": 10,
                "selector": {"matchLabels": selector},
                "template": {
                    "metadata": {
                        "annotations": tpl_annotations,
                        "creationTimestamp": None,
                        "labels": tpl_labels,
                    },
                    "spec": tspec,
                },
                "updateStrategy": {
                    "rollingUpdate": {"maxSurge": 0, "maxUnavailable": 1},
                    "type": "RollingUpdate",
                },
            },
        }
        if not tpl_annotations:
            del ds["spec"]["template"]["metadata"]["annotations"]
        self.add(file, ds)
        ready = 0
        pods = []
        for n in nodes:
            p = dict((per_node or {}).get(n, {}))
            plab = {**tpl_labels, "controller-revision-hash": hsh, "pod-template-generation": "1"}
            pname = f"{name}-{self.sfx(5)}"
            created_p = (
                p.get("created")
                or pods_created
                or plus(
                    max(created, self.nodes[n]["metadata"]["creationTimestamp"]),
                    seconds=self.rng.randint(2, 30),
                )
            )
            pod = self.pod(
                file,
                name=pname,
                ns=ns,
                node=n,
                labels=plab,
                spec=tspec,
                owner=ds,
                created=created_p,
                plan=p,
                annotations=tpl_annotations,
                ds=True,
                generate_name=f"{name}-",
                sa=sa,
            )
            pods.append(pod)
            if p.get("mode", "running") == "running" and not p.get("frozen"):
                ready += 1
        count = len(nodes)
        st: dict[str, Any] = {"currentNumberScheduled": count, "desiredNumberScheduled": count}
        if ready:
            st["numberAvailable"] = ready
        st["numberMisscheduled"] = 0
        st["numberReady"] = ready
        if count - ready:
            st["numberUnavailable"] = count - ready
        st["observedGeneration"] = 1
        st["updatedNumberScheduled"] = count
        ds["status"] = st
        ds["_pods"] = pods
        return ds

    def service(
        self,
        file: str,
        ns: str,
        name: str,
        *,
        selector: dict[str, str] | None,
        ports: list[dict[str, Any]],
        created: str,
        labels: dict[str, str] | None = None,
        ks: str | None = None,
        helm: tuple[str, str] | None = None,
        type_: str = "ClusterIP",
        lb_ip: str | None = None,
        headless: bool = False,
        owner: dict[str, Any] | None = None,
        annotations: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        ip = "None" if headless else self.svc_ip()
        sports = []
        for p in ports:
            sp = {
                "name": p.get("name", "http"),
                "port": p["port"],
                "protocol": p.get("protocol", "TCP"),
                "targetPort": p.get("targetPort", p["port"]),
            }
            if type_ == "LoadBalancer":
                sp = {
                    "name": sp["name"],
                    "nodePort": self.rng.randint(30000, 32767),
                    "port": sp["port"],
                    "protocol": sp["protocol"],
                    "targetPort": sp["targetPort"],
                }
            if p.get("appProtocol"):
                sp = {"appProtocol": p["appProtocol"], **sp}
            sports.append(sp)
        spec: dict[str, Any] = {}
        if type_ == "LoadBalancer":
            spec["allocateLoadBalancerNodePorts"] = True
        spec.update({"clusterIP": ip, "clusterIPs": [ip]})
        if type_ == "LoadBalancer":
            spec["externalTrafficPolicy"] = "Cluster"
        spec.update(
            {
                "internalTrafficPolicy": "Cluster",
                "ipFamilies": ["IPv4"],
                "ipFamilyPolicy": "SingleStack",
                "ports": sports,
            }
        )
        if selector is not None:
            spec["selector"] = selector
        spec["sessionAffinity"] = "None"
        spec["type"] = type_
        status: dict[str, Any] = {"loadBalancer": {}}
        if lb_ip:
            status = {
                "conditions": [
                    {
                        "lastTransitionTime": plus(created, seconds=1),
                        "message": "",
                        "reason": "satisfied",
                        "status": "True",
                        "type": "cilium.io/IPAMRequestSatisfied",
                    }
                ],
                "loadBalancer": {"ingress": [{"ip": lb_ip, "ipMode": "VIP"}]},
            }
        obj = {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": self.meta(
                name,
                ns,
                created=created,
                labels=labels,
                ks=ks,
                helm=helm,
                owner=owner,
                annotations=annotations,
                kind="Service",
            ),
            "spec": spec,
            "status": status,
        }
        return self.add(file, obj)

    def endpoint_slices(self) -> int:
        """Write, for every Service with a selector, the EndpointSlice and Endpoints the endpoint controllers keep.

        Run once every pod exists (``Lab.finish``): addresses are the matching pods' IPs with the conditions the
        EndpointSlice controller derives from the pod (ready = Ready and not terminating, serving = Ready,
        terminating = deletionTimestamp set); Endpoints lists ready pods under ``addresses``, the others under
        ``notReadyAddresses`` and leaves terminating ones out. Pods without an IP or in a terminal phase are
        not endpoints.
        """
        made = 0
        for file, objs in list(self.files.items()):
            services = [
                o for o in objs if o.get("kind") == "Service" and (o.get("spec") or {}).get("selector")
            ]
            for svc in services:
                made += self._endpoints_for(file, svc)
        return made

    def _endpoints_for(self, file: str, svc: dict[str, Any]) -> int:
        smd = svc["metadata"]
        ns, sname = smd["namespace"], smd["name"]
        sel = svc["spec"]["selector"]
        pods = [
            o
            for o in self.all_objects()
            if o.get("kind") == "Pod"
            and o["metadata"].get("namespace") == ns
            and all((o["metadata"].get("labels") or {}).get(k) == v for k, v in sel.items())
            and (o.get("status") or {}).get("podIP")
            and o["status"].get("phase") not in ("Succeeded", "Failed")
        ]
        pods.sort(key=lambda o: o["metadata"]["name"])

        def target(port: Any, pod: dict[str, Any] | None) -> int | None:
            if isinstance(port, int):
                return port
            for c in (pod or {}).get("spec", {}).get("containers", []):
                for cp in c.get("ports") or []:
                    if cp.get("name") == port:
                        return int(cp["containerPort"])
            return None

        ports = []
        for sp in svc["spec"].get("ports") or []:
            num = target(sp.get("targetPort", sp["port"]), pods[0] if pods else None)
            if num is None and pods:
                continue
            ep: dict[str, Any] = {}
            if sp.get("appProtocol"):
                ep["appProtocol"] = sp["appProtocol"]
            ep.update(
                {
                    "name": sp.get("name", ""),
                    "port": num if num is not None else sp["port"],
                    "protocol": sp.get("protocol", "TCP"),
                }
            )
            ports.append(ep)
        changed = max(
            [smd["creationTimestamp"]]
            + [
                c.get("lastTransitionTime") or ""
                for o in pods
                for c in o["status"].get("conditions") or []
                if c.get("type") == "Ready"
            ]
            + [o["metadata"].get("deletionTimestamp") or "" for o in pods]
        )
        trigger = {
            "endpoints.kubernetes.io/last-change-trigger-time": changed.replace("Z", ".000000Z")
            if changed
            else ""
        }
        svc_labels = dict(smd.get("labels") or {})
        if svc["spec"].get("clusterIP") == "None":
            svc_labels["service.kubernetes.io/headless"] = ""
        endpoints: list[dict[str, Any]] = []
        ready_addrs: list[dict[str, Any]] = []
        unready_addrs: list[dict[str, Any]] = []
        for o in pods:
            pmd = o["metadata"]
            is_ready = any(
                c.get("type") == "Ready" and c.get("status") == "True"
                for c in o["status"].get("conditions") or []
            )
            terminating = bool(pmd.get("deletionTimestamp"))
            tref = {"kind": "Pod", "name": pmd["name"], "namespace": ns, "uid": pmd["uid"]}
            e: dict[str, Any] = {
                "addresses": [o["status"]["podIP"]],
                "conditions": {
                    "ready": is_ready and not terminating,
                    "serving": is_ready,
                    "terminating": terminating,
                },
            }
            if o["spec"].get("hostname") and o["spec"].get("subdomain") == sname:
                e["hostname"] = o["spec"]["hostname"]
            e["nodeName"] = o["spec"].get("nodeName")
            e["targetRef"] = tref
            endpoints.append(e)
            if terminating:
                continue
            addr: dict[str, Any] = {"ip": o["status"]["podIP"]}
            if e.get("hostname"):
                addr["hostname"] = e["hostname"]
            addr["nodeName"] = o["spec"].get("nodeName")
            addr["targetRef"] = dict(tref)
            (ready_addrs if is_ready else unready_addrs).append(addr)
        owner = {
            "apiVersion": "v1",
            "blockOwnerDeletion": True,
            "controller": True,
            "kind": "Service",
            "name": sname,
            "uid": smd["uid"],
        }
        eps_md = self.meta(
            sname, ns, created=smd["creationTimestamp"], labels=svc_labels, annotations=trigger
        )
        eps: dict[str, Any] = {"apiVersion": "v1", "kind": "Endpoints", "metadata": eps_md}
        # The Endpoints controller adds a pod only under the ports it resolves in that pod: when a named targetPort
        # resolves in none, the pods are left out (the EndpointSlice still lists them, without ports). Opt-in
        # (``_unresolved_ports_drop_endpoints``) so that the snapshots written before this stay byte-identical.
        dropped = svc.get("_unresolved_ports_drop_endpoints") and not ports and svc["spec"].get("ports")
        if (ready_addrs or unready_addrs) and not dropped:
            subset: dict[str, Any] = {}
            if ready_addrs:
                subset["addresses"] = ready_addrs
            if unready_addrs:
                subset["notReadyAddresses"] = unready_addrs
            subset["ports"] = [dict(p) for p in ports]
            eps["subsets"] = [subset]
        name = f"{sname}-{self.sfx(5)}"
        es_labels = {
            **svc_labels,
            "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
            "kubernetes.io/service-name": sname,
        }
        es_md = self.meta(
            name,
            ns,
            created=smd["creationTimestamp"],
            labels=es_labels,
            annotations=trigger,
            generation=1 + len(pods),
        )
        es_md = {"generateName": f"{sname}-", **es_md}
        es_md["ownerReferences"] = [owner]
        es = {
            "addressType": "IPv4",
            "apiVersion": "discovery.k8s.io/v1",
            "endpoints": endpoints or None,
            "kind": "EndpointSlice",
            "metadata": dict(sorted(es_md.items())),
            "ports": ports or None,
        }
        self.add(file, eps)
        self.add(file, es)
        return 2

    def event(
        self,
        file: str,
        involved: dict[str, Any],
        *,
        reason: str,
        message: str,
        type_: str = "Warning",
        count: int = 1,
        first: str,
        last: str,
        component: str,
        host: str | None = None,
        field_path: str | None = None,
    ) -> dict[str, Any]:
        md = involved["metadata"]
        ns = md.get("namespace") or "default"
        ename = f"{md['name']}.{self.hexs(16)}"
        inv: dict[str, Any] = {"apiVersion": involved["apiVersion"]}
        if field_path:
            inv["fieldPath"] = field_path
        inv["kind"] = involved["kind"]
        inv["name"] = md["name"]
        if md.get("namespace"):
            inv["namespace"] = md["namespace"]
        inv["resourceVersion"] = md["resourceVersion"]
        inv["uid"] = md["uid"]
        if involved["kind"] == "Node":
            inv = {"kind": "Node", "name": md["name"], "uid": md["name"]}
            if reason == "NodeNotReady":
                inv = {"apiVersion": "v1", "kind": "Node", "name": md["name"], "uid": md["uid"]}
        emd = {
            "creationTimestamp": first,
            "name": ename,
            "namespace": ns,
            "resourceVersion": self.rv(),
            "uid": self.uid(),
        }
        src: dict[str, Any] = {"component": component}
        if host:
            src["host"] = host
        ev = {
            "apiVersion": "v1",
            "count": count,
            "eventTime": None,
            "firstTimestamp": first,
            "involvedObject": inv,
            "kind": "Event",
            "lastTimestamp": last,
            "message": message,
            "metadata": emd,
            "reason": reason,
            "reportingComponent": component,
            "reportingInstance": host or "",
            "source": src,
            "type": type_,
        }
        return self.add(file, ev)

    def series_event(
        self,
        file: str,
        involved: dict[str, Any],
        *,
        reason: str,
        message: str,
        first: str,
        last: str,
        count: int,
        component: str = "default-scheduler",
        action: str = "Scheduling",
        instance: str = "",
    ) -> dict[str, Any]:
        """events.k8s.io-style event (scheduler): no first/lastTimestamp, eventTime + series instead."""
        md = involved["metadata"]
        inv = {
            "apiVersion": involved["apiVersion"],
            "kind": involved["kind"],
            "name": md["name"],
            "namespace": md.get("namespace"),
            "resourceVersion": md["resourceVersion"],
            "uid": md["uid"],
        }
        ev = {
            "action": action,
            "apiVersion": "v1",
            "eventTime": first.replace("Z", ".118204Z"),
            "firstTimestamp": None,
            "involvedObject": inv,
            "kind": "Event",
            "lastTimestamp": None,
            "message": message,
            "metadata": {
                "creationTimestamp": first,
                "name": f"{md['name']}.{self.hexs(16)}",
                "namespace": md.get("namespace") or "default",
                "resourceVersion": self.rv(),
                "uid": self.uid(),
            },
            "reason": reason,
            "reportingComponent": component,
            "reportingInstance": instance or f"{component}-k3s-master1",
            "series": {"count": count, "lastObservedTime": last.replace("Z", ".604711Z")},
            "source": {},
            "type": "Warning",
        }
        return self.add(file, ev)

    def namespace(
        self,
        name: str,
        created: str,
        ks: str | None = None,
        labels: dict[str, str] | None = None,
        file: str = "namespaces.yaml",
    ) -> dict[str, Any]:
        lab = {"kubernetes.io/metadata.name": name, **(labels or {})}
        return self.add(
            file,
            {
                "apiVersion": "v1",
                "kind": "Namespace",
                "metadata": self.meta(name, created=created, labels=lab, ks=ks, kind="Namespace"),
                "spec": {"finalizers": ["kubernetes"]},
                "status": {"phase": "Active"},
            },
        )

    def secret(
        self,
        file: str,
        ns: str,
        name: str,
        data: dict[str, str | bytes],
        *,
        created: str,
        type_: str = "Opaque",
        labels: dict[str, str] | None = None,
        ks: str | None = None,
        helm: tuple[str, str] | None = None,
        annotations: dict[str, str] | None = None,
        owner: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        return self.add(
            file,
            {
                "apiVersion": "v1",
                "data": {k: b64(v) for k, v in data.items()},
                "kind": "Secret",
                "metadata": self.meta(
                    name,
                    ns,
                    created=created,
                    labels=labels,
                    ks=ks,
                    helm=helm,
                    annotations=annotations,
                    owner=owner,
                    kind="Secret",
                ),
                "type": type_,
            },
        )

    def configmap(
        self,
        file: str,
        ns: str,
        name: str,
        data: dict[str, str],
        *,
        created: str,
        labels: dict[str, str] | None = None,
        ks: str | None = None,
        helm: tuple[str, str] | None = None,
        annotations: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        return self.add(
            file,
            {
                "apiVersion": "v1",
                "data": data,
                "kind": "ConfigMap",
                "metadata": self.meta(
                    name,
                    ns,
                    created=created,
                    labels=labels,
                    ks=ks,
                    helm=helm,
                    annotations=annotations,
                    kind="ConfigMap",
                ),
            },
        )

    # ---------------------------------------------------------------- storage
    def storageclass(
        self,
        name: str,
        provisioner: str,
        params: dict[str, str],
        *,
        created: str,
        default: bool = False,
        reclaim: str = "Delete",
        binding: str = "Immediate",
        expand: bool = True,
        ks: str | None = None,
        helm: tuple[str, str] | None = None,
        annotations: dict[str, str] | None = None,
        labels: dict[str, str] | None = None,
        mount_options: list[str] | None = None,
        file: str = "storage.yaml",
    ) -> dict[str, Any]:
        ann = {
            "storageclass.kubernetes.io/is-default-class": "true" if default else "false",
            **(annotations or {}),
        }
        obj: dict[str, Any] = {
            "allowVolumeExpansion": expand,
            "apiVersion": "storage.k8s.io/v1",
            "kind": "StorageClass",
            "metadata": self.meta(
                name,
                created=created,
                annotations=ann,
                labels=labels,
                ks=ks,
                helm=helm,
                kind="StorageClass",
                group="storage.k8s.io",
            ),
        }
        if mount_options:
            obj["mountOptions"] = mount_options
        obj.update(
            {
                "parameters": params,
                "provisioner": provisioner,
                "reclaimPolicy": reclaim,
                "volumeBindingMode": binding,
            }
        )
        if not expand:
            del obj["allowVolumeExpansion"]
        return self.add(file, obj)

    def pvc(
        self,
        file: str,
        ns: str,
        name: str,
        *,
        size: str,
        sc: str,
        created: str,
        provisioner: str,
        access: str = "ReadWriteOnce",
        labels: dict[str, str] | None = None,
        ks: str | None = None,
        helm: tuple[str, str] | None = None,
        selected_node: str | None = None,
        phase: str = "Bound",
        pv_name: str | None = None,
    ) -> dict[str, Any]:
        ann = {
            "pv.kubernetes.io/bind-completed": "yes",
            "pv.kubernetes.io/bound-by-controller": "yes",
            "volume.beta.kubernetes.io/storage-provisioner": provisioner,
            "volume.kubernetes.io/storage-provisioner": provisioner,
        }
        if selected_node:
            ann["volume.kubernetes.io/selected-node"] = selected_node
        if phase != "Bound":
            ann = {k: v for k, v in ann.items() if "bind" not in k and "bound" not in k}
        md = self.meta(
            name,
            ns,
            created=created,
            labels=labels,
            annotations=ann,
            ks=ks,
            helm=helm,
            finalizers=["kubernetes.io/pvc-protection"],
            kind="PersistentVolumeClaim",
        )
        obj: dict[str, Any] = {
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": md,
            "spec": {
                "accessModes": [access],
                "resources": {"requests": {"storage": size}},
                "storageClassName": sc,
                "volumeMode": "Filesystem",
            },
        }
        if phase == "Bound":
            obj["spec"]["volumeName"] = pv_name or f"pvc-{md['uid']}"
            obj["status"] = {"accessModes": [access], "capacity": {"storage": size}, "phase": "Bound"}
        else:
            obj["status"] = {"phase": phase}
        return self.add(file, obj)

    def pv_for(
        self,
        pvc: dict[str, Any],
        *,
        driver: str,
        attrs: dict[str, str] | None = None,
        local_path_node: str | None = None,
        reclaim: str = "Delete",
        file: str = "storage.yaml",
        nfs: tuple[str, str] | None = None,
    ) -> dict[str, Any]:
        pmd = pvc["metadata"]
        name = pvc["spec"]["volumeName"]
        created = plus(pmd["creationTimestamp"], seconds=self.rng.randint(1, 6))
        ann = {"pv.kubernetes.io/provisioned-by": driver}
        if local_path_node:
            ann["local.path.provisioner/selected-node"] = local_path_node
        if driver == "driver.longhorn.io":
            ann["volume.kubernetes.io/provisioner-deletion-secret-name"] = ""
            ann["volume.kubernetes.io/provisioner-deletion-secret-namespace"] = ""
        md = self.meta(
            name,
            created=created,
            annotations=ann,
            finalizers=["kubernetes.io/pv-protection"]
            + (
                ["external-provisioner.volume.kubernetes.io/finalizer"]
                if driver != "rancher.io/local-path"
                else []
            ),
        )
        spec: dict[str, Any] = {
            "accessModes": pvc["spec"]["accessModes"],
            "capacity": {"storage": pvc["spec"]["resources"]["requests"]["storage"]},
            "claimRef": {
                "apiVersion": "v1",
                "kind": "PersistentVolumeClaim",
                "name": pmd["name"],
                "namespace": pmd["namespace"],
                "resourceVersion": pmd["resourceVersion"],
                "uid": pmd["uid"],
            },
        }
        if local_path_node:
            spec["hostPath"] = {
                "path": f"/var/lib/rancher/k3s/storage/{name}_{pmd['namespace']}_{pmd['name']}",
                "type": "DirectoryOrCreate",
            }
            spec["nodeAffinity"] = {
                "required": {
                    "nodeSelectorTerms": [
                        {
                            "matchExpressions": [
                                {
                                    "key": "kubernetes.io/hostname",
                                    "operator": "In",
                                    "values": [local_path_node],
                                }
                            ]
                        }
                    ]
                }
            }
        else:
            csi: dict[str, Any] = {"driver": driver}
            if driver == "driver.longhorn.io":
                csi["fsType"] = "ext4"
            csi["volumeAttributes"] = attrs or {}
            csi["volumeHandle"] = f"{nfs[0]}#{nfs[1]}#{name}##" if nfs else name
            spec["csi"] = csi
            if nfs:
                spec["mountOptions"] = ["nfsvers=4.1"]
        spec.update(
            {
                "persistentVolumeReclaimPolicy": reclaim,
                "storageClassName": pvc["spec"]["storageClassName"],
                "volumeMode": "Filesystem",
            }
        )
        obj = {
            "apiVersion": "v1",
            "kind": "PersistentVolume",
            "metadata": md,
            "spec": spec,
            "status": {"lastPhaseTransitionTime": plus(created, seconds=1), "phase": "Bound"},
        }
        return self.add(file, obj)


# -------------------------------------------------------------------- helpers


def owner_ref(owner: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": owner["apiVersion"],
        "blockOwnerDeletion": True,
        "controller": True,
        "kind": owner["kind"],
        "name": owner["metadata"]["name"],
        "uid": owner["metadata"]["uid"],
    }


def _cilium_up(t: str) -> dict[str, Any]:
    return {
        "lastHeartbeatTime": t,
        "lastTransitionTime": t,
        "message": "Cilium is running on this node",
        "reason": "CiliumIsUp",
        "status": "False",
        "type": "NetworkUnavailable",
    }


def full_image(image: str) -> str:
    first = image.split("/")[0]
    if "/" not in image:
        return f"docker.io/library/{image}"
    if "." in first or ":" in first or first == "localhost":
        return image
    return f"docker.io/{image}"


def qos(containers: list[dict[str, Any]]) -> str:
    any_set = False
    guaranteed = True
    for c in containers:
        r = c.get("resources") or {}
        req, lim = r.get("requests") or {}, r.get("limits") or {}
        if req or lim:
            any_set = True
        for res in ("cpu", "memory"):
            if res not in lim or (res in req and req[res] != lim[res]):
                guaranteed = False
    if not any_set:
        return "BestEffort"
    return "Guaranteed" if guaranteed else "Burstable"


DEFAULT_TOLERATIONS = [
    {
        "effect": "NoExecute",
        "key": "node.kubernetes.io/not-ready",
        "operator": "Exists",
        "tolerationSeconds": 300,
    },
    {
        "effect": "NoExecute",
        "key": "node.kubernetes.io/unreachable",
        "operator": "Exists",
        "tolerationSeconds": 300,
    },
]


def ds_tolerations(host_network: bool) -> list[dict[str, Any]]:
    t = [
        {"effect": "NoExecute", "key": "node.kubernetes.io/not-ready", "operator": "Exists"},
        {"effect": "NoExecute", "key": "node.kubernetes.io/unreachable", "operator": "Exists"},
        {"effect": "NoSchedule", "key": "node.kubernetes.io/disk-pressure", "operator": "Exists"},
        {"effect": "NoSchedule", "key": "node.kubernetes.io/memory-pressure", "operator": "Exists"},
        {"effect": "NoSchedule", "key": "node.kubernetes.io/pid-pressure", "operator": "Exists"},
        {"effect": "NoSchedule", "key": "node.kubernetes.io/unschedulable", "operator": "Exists"},
    ]
    if host_network:
        t.append(
            {"effect": "NoSchedule", "key": "node.kubernetes.io/network-unavailable", "operator": "Exists"}
        )
    return t


def default_container(c: dict[str, Any]) -> dict[str, Any]:
    out = dict(c)
    out.setdefault(
        "imagePullPolicy",
        "Always"
        if c["image"].endswith(":latest") or ":" not in c["image"].split("/")[-1]
        else "IfNotPresent",
    )
    out.setdefault("resources", {})
    out.setdefault("terminationMessagePath", "/dev/termination-log")
    out.setdefault("terminationMessagePolicy", "File")
    for p in out.get("ports") or []:
        p.setdefault("protocol", "TCP")
    for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
        if probe in out:
            pr = dict(out[probe])
            pr.setdefault("failureThreshold", 3)
            pr.setdefault("periodSeconds", 10)
            pr.setdefault("successThreshold", 1)
            pr.setdefault("timeoutSeconds", 1)
            if "httpGet" in pr:
                pr["httpGet"] = {**pr["httpGet"]}
                pr["httpGet"].setdefault("scheme", "HTTP")
            out[probe] = dict(sorted(pr.items()))
    return dict(sorted(out.items()))


def default_podspec(
    spec: dict[str, Any],
    *,
    sa: str | None,
    ds_node: str | None,
    host_network: bool,
    api_volume: str | None,
    template: bool = False,
) -> None:
    spec["containers"] = [default_container(c) for c in spec["containers"]]
    if spec.get("initContainers"):
        spec["initContainers"] = [default_container(c) for c in spec["initContainers"]]
    spec.setdefault("dnsPolicy", "ClusterFirstWithHostNet" if host_network else "ClusterFirst")
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("schedulerName", "default-scheduler")
    spec.setdefault("securityContext", {})
    spec.setdefault("terminationGracePeriodSeconds", 30)
    if not template:
        spec.setdefault("enableServiceLinks", True)
        spec.setdefault("preemptionPolicy", "PreemptLowerPriority")
        pc = spec.get("priorityClassName")
        spec.setdefault(
            "priority",
            {
                "system-node-critical": 2000001000,
                "system-cluster-critical": 2000000000,
                "longhorn-critical": 1000000000,
            }.get(pc or "", 0),
        )
        sa_name = spec.get("serviceAccountName") or sa or "default"
        spec["serviceAccount"] = sa_name
        spec["serviceAccountName"] = sa_name
        tol = list(spec.get("tolerations") or [])
        if ds_node:
            for t in ds_tolerations(host_network):
                if t not in tol:
                    tol.append(t)
            aff = spec.setdefault("affinity", {})
            aff["nodeAffinity"] = {
                "requiredDuringSchedulingIgnoredDuringExecution": {
                    "nodeSelectorTerms": [
                        {"matchFields": [{"key": "metadata.name", "operator": "In", "values": [ds_node]}]}
                    ]
                }
            }
        else:
            keys = {(t.get("key"), t.get("effect")) for t in tol}
            for t in DEFAULT_TOLERATIONS:
                if (t["key"], t["effect"]) not in keys:
                    tol.append(t)
        spec["tolerations"] = tol
        if api_volume and spec.get("automountServiceAccountToken", True):
            for c in spec["containers"] + (spec.get("initContainers") or []):
                c.setdefault("volumeMounts", []).append(
                    {
                        "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount",
                        "name": api_volume,
                        "readOnly": True,
                    }
                )
            spec.setdefault("volumes", []).append(
                {
                    "name": api_volume,
                    "projected": {
                        "defaultMode": 420,
                        "sources": [
                            {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                            {
                                "configMap": {
                                    "items": [{"key": "ca.crt", "path": "ca.crt"}],
                                    "name": "kube-root-ca.crt",
                                }
                            },
                            {
                                "downwardAPI": {
                                    "items": [
                                        {
                                            "fieldRef": {
                                                "apiVersion": "v1",
                                                "fieldPath": "metadata.namespace",
                                            },
                                            "path": "namespace",
                                        }
                                    ]
                                }
                            },
                        ],
                    },
                }
            )
    for k in list(spec):
        if spec[k] is None:
            del spec[k]
    ordered = dict(sorted(spec.items()))
    spec.clear()
    spec.update(ordered)


def strip_private(objs: list[dict[str, Any]]) -> None:
    for o in objs:
        for k in [k for k in o if k.startswith("_")]:
            del o[k]
