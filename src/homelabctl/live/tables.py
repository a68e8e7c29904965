"""Server-side printing: the ``meta.k8s.io/v1`` Table the API server returns to ``kubectl get``.

The columns and cells follow the API server's printers (``pkg/printers/internalversion/printers.go``) for
the built-in kinds, and the CRD's ``additionalPrinterColumns`` for custom resources, so ``kubectl get``
against ``homelabctl snapshot serve`` prints what it printed against the real cluster. The server always
fills the ``-o wide`` (priority 1) columns; kubectl hides them unless asked.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

import msgspec

from homelabctl.k8s import conditions as k8s_conditions
from homelabctl.k8s import meta as k8s_meta
from homelabctl.k8s import netpol as k8s_netpol
from homelabctl.k8s import nodes as k8s_nodes
from homelabctl.k8s import pods as k8s_pods
from homelabctl.k8s import storage as k8s_storage
from homelabctl.k8s.nodeinfo import node_info
from homelabctl.k8s.templates import job_template_spec
from homelabctl.kube import node_roles_text, node_status_text, pod_summary
from homelabctl.live import jsonpath
from homelabctl.model import Resource
from homelabctl.timeutil import parse_time, short_duration

Cell = Any
Row = list[Cell]
RowFunc = Callable[[Mapping[str, Any], datetime], Row]

NAME_DESCRIPTION = (
    "Name must be unique within a namespace. Is required when creating resources, although some resources "
    "may allow a client to request the generation of an appropriate name automatically. Name is primarily "
    "intended for creation idempotence and configuration definition. Cannot be updated. More info: "
    "https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names"
)
AGE_DESCRIPTION = (
    "CreationTimestamp is a timestamp representing the server time when this object was created. It is not "
    "guaranteed to be set in happens-before order across separate operations. Clients may not set this "
    "value. It is represented in RFC3339 form and is in UTC."
)


class Column(msgspec.Struct, frozen=True):
    name: str
    type: str = "string"
    priority: int = 0
    format: str = ""
    description: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type,
            "format": self.format,
            "description": self.description or self.name,
            "priority": self.priority,
        }


class Printer(msgspec.Struct, frozen=True):
    columns: tuple[Column, ...]
    row: RowFunc


NAME = Column("Name", format="name", description=NAME_DESCRIPTION)
AGE = Column("Age", description=AGE_DESCRIPTION)


# -- formatting helpers, each the Go function of the same purpose -------------------------------------------
human_duration = short_duration  # the API server and `check` print ages the same way


def since(stamp: object, now: datetime) -> str:
    """translateTimestampSince: ``<unknown>`` for a missing timestamp."""
    moment = parse_time(stamp)
    if moment is None:
        return "<unknown>"
    return human_duration(now - moment)


def _meta(raw: Mapping[str, Any]) -> Mapping[str, Any]:
    return k8s_meta.metadata(raw)


def _spec(raw: Mapping[str, Any]) -> Mapping[str, Any]:
    return k8s_meta.spec(raw)


def _status(raw: Mapping[str, Any]) -> Mapping[str, Any]:
    return k8s_meta.status(raw)


def _name(raw: Mapping[str, Any]) -> str:
    return k8s_meta.name(raw)


def _age(raw: Mapping[str, Any], now: datetime) -> str:
    return since(k8s_meta.creation_timestamp(raw), now)


def _int(value: object) -> int:
    try:
        return int(value)  # type: ignore[call-overload,no-any-return]
    except (TypeError, ValueError):
        return 0


def format_labels(labels: Mapping[str, Any] | None) -> str:
    """labels.FormatLabels: sorted ``k=v`` pairs or ``<none>``."""
    if not labels:
        return "<none>"
    return ",".join(f"{k}={labels[k]}" for k in sorted(labels))


def selector_string(selector: Mapping[str, Any] | None) -> str:
    """metav1.LabelSelectorAsSelector(...).String(): requirements sorted by key."""
    if not selector:
        return ""
    reqs: list[tuple[str, str]] = []
    for key, value in (selector.get("matchLabels") or {}).items():
        reqs.append((str(key), f"{key}={value}"))
    for expr in selector.get("matchExpressions") or []:
        key = str(expr.get("key", ""))
        op = expr.get("operator")
        values = ",".join(sorted(str(v) for v in expr.get("values") or []))
        if op == "In":
            reqs.append((key, f"{key} in ({values})"))
        elif op == "NotIn":
            reqs.append((key, f"{key} notin ({values})"))
        elif op == "Exists":
            reqs.append((key, key))
        elif op == "DoesNotExist":
            reqs.append((key, f"!{key}"))
    return ",".join(text for _, text in sorted(reqs, key=lambda r: r[0]))


def format_label_selector(selector: Mapping[str, Any] | None) -> str:
    return selector_string(selector) or "<none>"


def _containers_cells(pod_spec: Mapping[str, Any]) -> list[str]:
    containers = pod_spec.get("containers") or []
    return [
        ",".join(str(c.get("name", "")) for c in containers),
        ",".join(str(c.get("image", "")) for c in containers),
    ]


def _template_spec(raw: Mapping[str, Any]) -> Mapping[str, Any]:
    return k8s_pods.pod_spec(raw)


_ACCESS_MODES = (
    ("ReadWriteOnce", "RWO"),
    ("ReadOnlyMany", "ROX"),
    ("ReadWriteMany", "RWX"),
    ("ReadWriteOncePod", "RWOP"),
)


def _access_modes(modes: Sequence[str] | None) -> str:
    present = set(modes or ())
    return ",".join(short for long, short in _ACCESS_MODES if long in present)


def _condition_status(raw: Mapping[str, Any], type_: str) -> bool:
    return any(c.type == type_ and c.is_true for c in k8s_conditions.conditions(raw))


# -- core -----------------------------------------------------------------------------------------------------
def pod_cells(raw: Mapping[str, Any], now: datetime) -> tuple[Row, str]:
    """printPod. Returns the cells and the STATUS reason (also used for row conditions)."""
    spec, status = _spec(raw), _status(raw)
    summary = pod_summary(raw)
    reason, ready, total, restarts, last_restart = (
        summary.reason,
        summary.ready,
        summary.total,
        summary.restarts,
        summary.last_restart,
    )
    restarts_text = str(restarts)
    if restarts and last_restart:
        restarts_text = f"{restarts} ({since(last_restart, now)} ago)"

    ips = status.get("podIPs") or []
    pod_ip = str(ips[0].get("ip", "")) if ips else ""
    gates = spec.get("readinessGates") or []
    gates_text = "<none>"
    if gates:
        conditions = {c.type: c.status for c in k8s_conditions.conditions(raw)}
        true_count = sum(1 for g in gates if conditions.get(g.get("conditionType")) == "True")
        gates_text = f"{true_count}/{len(gates)}"
    cells: Row = [
        _name(raw),
        f"{ready}/{total}",
        reason,
        restarts_text,
        _age(raw, now),
        pod_ip or "<none>",
        str(spec.get("nodeName") or "<none>"),
        str(status.get("nominatedNodeName") or "<none>"),
        gates_text,
    ]
    return cells, reason


def _pod_row(raw: Mapping[str, Any], now: datetime) -> Row:
    return pod_cells(raw, now)[0]


def pod_row_conditions(raw: Mapping[str, Any]) -> list[dict[str, str]]:
    phase = k8s_pods.phase(raw)
    if phase == "Succeeded":
        return [
            {
                "type": "Completed",
                "status": "True",
                "reason": "Succeeded",
                "message": "The pod has completed successfully.",
            }
        ]
    if phase == "Failed":
        return [{"type": "Completed", "status": "True", "reason": "Failed", "message": "The pod failed."}]
    return []


def _node_address(raw: Mapping[str, Any], type_: str) -> str:
    found = k8s_nodes.address(raw, type_)
    return found if found is not None else "<none>"


def _node_row(raw: Mapping[str, Any], now: datetime) -> Row:
    info = node_info(raw)
    return [
        _name(raw),
        node_status_text(raw),
        node_roles_text(raw),
        _age(raw, now),
        info.kubelet_version,
        _node_address(raw, "InternalIP"),
        _node_address(raw, "ExternalIP"),
        info.os_image or "<unknown>",
        info.kernel_version or "<unknown>",
        info.container_runtime_version or "<unknown>",
    ]


def _port_string(ports: Sequence[Mapping[str, Any]]) -> str:
    pieces = []
    for port in ports:
        protocol = port.get("protocol") or "TCP"
        if port.get("nodePort"):
            pieces.append(f"{port.get('port')}:{port.get('nodePort')}/{protocol}")
        else:
            pieces.append(f"{port.get('port')}/{protocol}")
    return ",".join(pieces)


def _lb_ingress(status: Mapping[str, Any]) -> str:
    ingress = (status.get("loadBalancer") or {}).get("ingress") or []
    return ",".join(
        str(i.get("ip") or i.get("hostname") or "") for i in ingress if i.get("ip") or i.get("hostname")
    )


def _service_external_ip(raw: Mapping[str, Any]) -> str:
    spec = _spec(raw)
    svc_type = spec.get("type") or "ClusterIP"
    external = [str(ip) for ip in spec.get("externalIPs") or []]
    if svc_type in ("ClusterIP", "NodePort"):
        return ",".join(external) if external else "<none>"
    if svc_type == "LoadBalancer":
        lb = _lb_ingress(_status(raw))
        if external:
            return ",".join([*(lb.split(",") if lb else []), *external])
        return lb or "<pending>"
    if svc_type == "ExternalName":
        return str(spec.get("externalName", ""))
    return "<unknown>"


def _service_row(raw: Mapping[str, Any], now: datetime) -> Row:
    spec = _spec(raw)
    cluster_ips = spec.get("clusterIPs") or ([spec["clusterIP"]] if spec.get("clusterIP") else [])
    return [
        _name(raw),
        str(spec.get("type") or "ClusterIP"),
        str(cluster_ips[0]) if cluster_ips else "<none>",
        _service_external_ip(raw),
        _port_string(spec.get("ports") or []) or "<none>",
        _age(raw, now),
        format_labels(spec.get("selector")),
    ]


def _endpoints_text(raw: Mapping[str, Any]) -> str:
    subsets = raw.get("subsets") or []
    if not subsets:
        return "<none>"
    shown: list[str] = []
    limit, more, count = 3, False, 0
    for subset in subsets:
        addresses = subset.get("addresses") or []
        ports = subset.get("ports") or []
        if not ports:
            count += len(addresses)
            for address in addresses:
                if len(shown) == limit:
                    more = True
                if not more:
                    shown.append(str(address.get("ip", "")))
            continue
        for port in ports:
            count += len(addresses)
            for address in addresses:
                if len(shown) == limit:
                    more = True
                if not more:
                    ip = str(address.get("ip", ""))
                    host = f"[{ip}]" if ":" in ip else ip
                    shown.append(f"{host}:{port.get('port')}")
    text = ",".join(shown)
    return f"{text} + {count - limit} more..." if more else text


def _event_row(raw: Mapping[str, Any], now: datetime) -> Row:
    first = (
        since(raw.get("firstTimestamp"), now)
        if raw.get("firstTimestamp")
        else since(raw.get("eventTime"), now)
    )
    last = since(raw.get("lastTimestamp"), now) if raw.get("lastTimestamp") else first
    count = _int(raw.get("count"))
    series = raw.get("series")
    if series:
        last = since(series.get("lastObservedTime"), now)
        count = _int(series.get("count"))
    elif count == 0:
        count = 1
    involved = raw.get("involvedObject") or {}
    kind = str(involved.get("kind", "")).lower()
    target = f"{kind}/{involved['name']}" if involved.get("name") else kind
    source = raw.get("source") or {}
    component = (
        source.get("component") or raw.get("reportingComponent") or raw.get("reportingController") or ""
    )
    instance = source.get("host") or raw.get("reportingInstance") or ""
    source_text = f"{component}, {instance}" if instance else str(component)
    return [
        last,
        str(raw.get("type", "")),
        str(raw.get("reason", "")),
        target,
        str(involved.get("fieldPath", "")),
        source_text,
        str(raw.get("message", "")).strip(),
        first,
        count,
        _name(raw),
    ]


def _pvc_row(raw: Mapping[str, Any], now: datetime) -> Row:
    spec, status = _spec(raw), _status(raw)
    phase = "Terminating" if k8s_meta.deletion_timestamp(raw) else str(status.get("phase", ""))
    capacity, modes = "", ""
    if spec.get("volumeName"):
        modes = _access_modes(status.get("accessModes"))
        capacity = str((status.get("capacity") or {}).get("storage", ""))
    storage_class = spec.get("storageClassName")
    if storage_class is None:
        storage_class = k8s_meta.annotations_of(raw).get("volume.beta.kubernetes.io/storage-class", "")
    return [
        _name(raw),
        phase,
        str(spec.get("volumeName", "")),
        capacity,
        modes,
        str(storage_class or ""),
        str(spec.get("volumeAttributesClassName") or "<unset>"),
        _age(raw, now),
        str(spec.get("volumeMode") or "<unset>"),
    ]


def _pv_row(raw: Mapping[str, Any], now: datetime) -> Row:
    spec, status = _spec(raw), _status(raw)
    claim = spec.get("claimRef")
    claim_text = f"{claim.get('namespace', '')}/{claim.get('name', '')}" if claim else ""
    phase = "Terminating" if k8s_meta.deletion_timestamp(raw) else str(status.get("phase", ""))
    storage_class = spec.get("storageClassName")
    if storage_class is None:
        storage_class = k8s_meta.annotations_of(raw).get("volume.beta.kubernetes.io/storage-class", "")
    return [
        _name(raw),
        str((spec.get("capacity") or {}).get("storage", "")),
        _access_modes(spec.get("accessModes")),
        str(spec.get("persistentVolumeReclaimPolicy", "")),
        phase,
        claim_text,
        str(storage_class or ""),
        str(spec.get("volumeAttributesClassName") or "<unset>"),
        str(status.get("reason", "")),
        _age(raw, now),
        str(spec.get("volumeMode") or "<unset>"),
    ]


def _quota_row(raw: Mapping[str, Any], now: datetime) -> Row:
    status = _status(raw)
    hard, used = status.get("hard") or {}, status.get("used") or {}
    requests: list[str] = []
    limits: list[str] = []
    for resource in sorted(hard):
        text = f"{resource}: {used.get(resource, '0')}/{hard[resource]}"
        (limits if resource.split(".")[0] == "limits" and "." in resource else requests).append(text)
    return [_name(raw), _age(raw, now), ", ".join(requests), ", ".join(limits)]


# -- apps, batch ------------------------------------------------------------------------------------------------
def _deployment_row(raw: Mapping[str, Any], now: datetime) -> Row:
    spec, status = _spec(raw), _status(raw)
    desired = _int(spec.get("replicas", 1))
    return [
        _name(raw),
        f"{_int(status.get('readyReplicas'))}/{desired}",
        _int(status.get("updatedReplicas")),
        _int(status.get("availableReplicas")),
        _age(raw, now),
        *_containers_cells(_template_spec(raw)),
        selector_string(spec.get("selector")),
    ]


def _replicaset_row(raw: Mapping[str, Any], now: datetime) -> Row:
    spec, status = _spec(raw), _status(raw)
    return [
        _name(raw),
        _int(spec.get("replicas", 1)),
        _int(status.get("replicas")),
        _int(status.get("readyReplicas")),
        _age(raw, now),
        *_containers_cells(_template_spec(raw)),
        selector_string(spec.get("selector")),
    ]


def _statefulset_row(raw: Mapping[str, Any], now: datetime) -> Row:
    spec, status = _spec(raw), _status(raw)
    return [
        _name(raw),
        f"{_int(status.get('readyReplicas'))}/{_int(spec.get('replicas', 1))}",
        _age(raw, now),
        *_containers_cells(_template_spec(raw)),
    ]


def _daemonset_row(raw: Mapping[str, Any], now: datetime) -> Row:
    spec, status = _spec(raw), _status(raw)
    return [
        _name(raw),
        _int(status.get("desiredNumberScheduled")),
        _int(status.get("currentNumberScheduled")),
        _int(status.get("numberReady")),
        _int(status.get("updatedNumberScheduled")),
        _int(status.get("numberAvailable")),
        format_labels(k8s_pods.node_selector(_template_spec(raw))),
        _age(raw, now),
        *_containers_cells(_template_spec(raw)),
        selector_string(spec.get("selector")),
    ]


def _job_row(raw: Mapping[str, Any], now: datetime) -> Row:
    spec, status = _spec(raw), _status(raw)
    succeeded = _int(status.get("succeeded"))
    if spec.get("completions") is not None:
        completions = f"{succeeded}/{_int(spec['completions'])}"
    elif _int(spec.get("parallelism")) > 1:
        completions = f"{succeeded}/1 of {_int(spec['parallelism'])}"
    else:
        completions = f"{succeeded}/1"
    start, end = parse_time(status.get("startTime")), parse_time(status.get("completionTime"))
    duration = "" if start is None else human_duration((end or now) - start)
    if _condition_status(raw, "Complete"):
        state = "Complete"
    elif _condition_status(raw, "Failed"):
        state = "Failed"
    elif k8s_meta.deletion_timestamp(raw):
        state = "Terminating"
    elif _condition_status(raw, "SuccessCriteriaMet"):
        state = "SuccessCriteriaMet"
    elif _condition_status(raw, "Suspended"):
        state = "Suspended"
    elif _condition_status(raw, "FailureTarget"):
        state = "FailureTarget"
    else:
        state = "Running"
    return [
        _name(raw),
        state,
        completions,
        duration,
        _age(raw, now),
        *_containers_cells(_template_spec(raw)),
        selector_string(spec.get("selector")),
    ]


def _bool_text(value: object) -> str:
    if value is None:
        return "<unset>"
    return "True" if value else "False"


def _cronjob_row(raw: Mapping[str, Any], now: datetime) -> Row:
    spec, status = _spec(raw), _status(raw)
    job_spec = job_template_spec(raw)
    pod_spec = k8s_pods.pod_spec(raw)
    last = status.get("lastScheduleTime")
    return [
        _name(raw),
        str(spec.get("schedule", "")),
        str(spec.get("timeZone") or "<none>"),
        _bool_text(spec.get("suspend")),
        len(status.get("active") or []),
        since(last, now) if last else "<none>",
        _age(raw, now),
        *_containers_cells(pod_spec),
        selector_string(job_spec.get("selector")),
    ]


# -- cluster-level kinds ----------------------------------------------------------------------------------------
def _storageclass_row(raw: Mapping[str, Any], now: datetime) -> Row:
    annotations = k8s_meta.annotations_of(raw)
    name = _name(raw)
    if "true" in (
        annotations.get("storageclass.kubernetes.io/is-default-class"),
        annotations.get("storageclass.beta.kubernetes.io/is-default-class"),
    ):
        name += " (default)"
    return [
        name,
        str(raw.get("provisioner", "")),
        str(raw.get("reclaimPolicy") or "Delete"),
        str(raw.get("volumeBindingMode") or "Immediate"),
        bool(raw.get("allowVolumeExpansion")),
        _age(raw, now),
    ]


def _csidriver_row(raw: Mapping[str, Any], now: datetime) -> Row:
    spec = _spec(raw)
    tokens = spec.get("tokenRequests")
    modes = spec.get("volumeLifecycleModes") or []
    return [
        _name(raw),
        spec.get("attachRequired", True) is not False,
        bool(spec.get("podInfoOnMount")),
        bool(spec.get("storageCapacity")),
        ",".join(str(t.get("audience", "")) for t in tokens) if tokens else "<unset>",
        bool(spec.get("requiresRepublish")),
        ",".join(str(m) for m in modes) if modes else "<none>",
        _age(raw, now),
    ]


def _volumeattachment_row(raw: Mapping[str, Any], now: datetime) -> Row:
    spec = _spec(raw)
    return [
        _name(raw),
        str(spec.get("attacher", "")),
        str((spec.get("source") or {}).get("persistentVolumeName", "")),
        str(spec.get("nodeName", "")),
        k8s_storage.volume_attachment_attached(raw),
        _age(raw, now),
    ]


def _ingress_hosts(rules: Sequence[Mapping[str, Any]]) -> str:
    shown: list[str] = []
    more = False
    for rule in rules:
        if len(shown) == 3:
            more = True
        if not more and rule.get("host"):
            shown.append(str(rule["host"]))
    if not shown:
        return "*"
    text = ",".join(shown)
    return f"{text} + {len(rules) - 3} more..." if more else text


def _ingress_row(raw: Mapping[str, Any], now: datetime) -> Row:
    spec = _spec(raw)
    return [
        _name(raw),
        str(spec.get("ingressClassName") or "<none>"),
        _ingress_hosts(spec.get("rules") or []),
        _lb_ingress(_status(raw)),
        "80, 443" if spec.get("tls") else "80",
        _age(raw, now),
    ]


def _crd_row(raw: Mapping[str, Any], now: datetime) -> Row:
    return [_name(raw), k8s_meta.creation_timestamp(raw) or ""]


def _simple(*fields: tuple[str, Callable[[Mapping[str, Any]], Cell]]) -> RowFunc:
    """A row of NAME, the given cells in order, then AGE."""

    def row(raw: Mapping[str, Any], now: datetime) -> Row:
        return [_name(raw), *(func(raw) for _, func in fields), _age(raw, now)]

    return row


def _c(name: str, type_: str = "string", priority: int = 0) -> Column:
    return Column(name, type_, priority)


_WIDE_CONTAINERS = (_c("Containers", priority=1), _c("Images", priority=1))

BUILTIN: dict[str, Printer] = {
    "Pod": Printer(
        (
            NAME,
            _c("Ready"),
            _c("Status"),
            _c("Restarts"),
            AGE,
            _c("IP", priority=1),
            _c("Node", priority=1),
            _c("Nominated Node", priority=1),
            _c("Readiness Gates", priority=1),
        ),
        _pod_row,
    ),
    "Node": Printer(
        (
            NAME,
            _c("Status"),
            _c("Roles"),
            AGE,
            _c("Version"),
            _c("Internal-IP", priority=1),
            _c("External-IP", priority=1),
            _c("OS-Image", priority=1),
            _c("Kernel-Version", priority=1),
            _c("Container-Runtime", priority=1),
        ),
        _node_row,
    ),
    "Namespace": Printer(
        (NAME, _c("Status"), AGE),
        _simple(("Status", lambda r: k8s_pods.phase(r))),  # the same status.phase field
    ),
    "Service": Printer(
        (
            NAME,
            _c("Type"),
            _c("Cluster-IP"),
            _c("External-IP"),
            _c("Port(s)"),
            AGE,
            _c("Selector", priority=1),
        ),
        _service_row,
    ),
    "Endpoints": Printer((NAME, _c("Endpoints"), AGE), _simple(("Endpoints", _endpoints_text))),
    "ConfigMap": Printer(
        (NAME, _c("Data", "integer"), AGE),
        _simple(("Data", lambda r: len(r.get("data") or {}) + len(r.get("binaryData") or {}))),
    ),
    "Secret": Printer(
        (NAME, _c("Type"), _c("Data", "integer"), AGE),
        _simple(("Type", lambda r: str(r.get("type", ""))), ("Data", lambda r: len(r.get("data") or {}))),
    ),
    "PersistentVolumeClaim": Printer(
        (
            NAME,
            _c("Status"),
            _c("Volume"),
            _c("Capacity"),
            _c("Access Modes"),
            _c("StorageClass"),
            _c("VolumeAttributesClass"),
            AGE,
            _c("VolumeMode", priority=1),
        ),
        _pvc_row,
    ),
    "PersistentVolume": Printer(
        (
            NAME,
            _c("Capacity"),
            _c("Access Modes"),
            _c("Reclaim Policy"),
            _c("Status"),
            _c("Claim"),
            _c("StorageClass"),
            _c("VolumeAttributesClass"),
            _c("Reason"),
            AGE,
            _c("VolumeMode", priority=1),
        ),
        _pv_row,
    ),
    "Event": Printer(
        (
            _c("Last Seen"),
            _c("Type"),
            _c("Reason"),
            _c("Object"),
            _c("Subobject", priority=1),
            _c("Source", priority=1),
            _c("Message"),
            _c("First Seen", priority=1),
            _c("Count", priority=1),
            Column("Name", priority=1, format="name", description=NAME_DESCRIPTION),
        ),
        _event_row,
    ),
    "ResourceQuota": Printer((NAME, AGE, _c("Request"), _c("Limit")), _quota_row),
    "ServiceAccount": Printer(
        (NAME, _c("Secrets", "integer"), AGE), _simple(("Secrets", lambda r: len(r.get("secrets") or [])))
    ),
    "Deployment.apps": Printer(
        (
            NAME,
            _c("Ready"),
            _c("Up-to-date", "integer"),
            _c("Available", "integer"),
            AGE,
            *_WIDE_CONTAINERS,
            _c("Selector", priority=1),
        ),
        _deployment_row,
    ),
    "ReplicaSet.apps": Printer(
        (
            NAME,
            _c("Desired", "integer"),
            _c("Current", "integer"),
            _c("Ready", "integer"),
            AGE,
            *_WIDE_CONTAINERS,
            _c("Selector", priority=1),
        ),
        _replicaset_row,
    ),
    "StatefulSet.apps": Printer((NAME, _c("Ready"), AGE, *_WIDE_CONTAINERS), _statefulset_row),
    "DaemonSet.apps": Printer(
        (
            NAME,
            _c("Desired", "integer"),
            _c("Current", "integer"),
            _c("Ready", "integer"),
            _c("Up-to-date", "integer"),
            _c("Available", "integer"),
            _c("Node Selector"),
            AGE,
            *_WIDE_CONTAINERS,
            _c("Selector", priority=1),
        ),
        _daemonset_row,
    ),
    "Job.batch": Printer(
        (
            NAME,
            _c("Status"),
            _c("Completions"),
            _c("Duration"),
            AGE,
            *_WIDE_CONTAINERS,
            _c("Selector", priority=1),
        ),
        _job_row,
    ),
    "CronJob.batch": Printer(
        (
            NAME,
            _c("Schedule"),
            _c("Timezone"),
            _c("Suspend"),
            _c("Active", "integer"),
            _c("Last Schedule"),
            AGE,
            *_WIDE_CONTAINERS,
            _c("Selector", priority=1),
        ),
        _cronjob_row,
    ),
    "StorageClass.storage.k8s.io": Printer(
        (
            NAME,
            _c("Provisioner"),
            _c("ReclaimPolicy"),
            _c("VolumeBindingMode"),
            _c("AllowVolumeExpansion"),
            AGE,
        ),
        _storageclass_row,
    ),
    "CSIDriver.storage.k8s.io": Printer(
        (
            NAME,
            _c("AttachRequired", "boolean"),
            _c("PodInfoOnMount", "boolean"),
            _c("StorageCapacity", "boolean"),
            _c("TokenRequests"),
            _c("RequiresRepublish", "boolean"),
            _c("Modes"),
            AGE,
        ),
        _csidriver_row,
    ),
    "CSINode.storage.k8s.io": Printer(
        (NAME, _c("Drivers", "integer"), AGE),
        _simple(("Drivers", lambda r: len(k8s_storage.csi_node_drivers(r)))),
    ),
    "VolumeAttachment.storage.k8s.io": Printer(
        (NAME, _c("Attacher"), _c("PV"), _c("Node"), _c("Attached", "boolean"), AGE), _volumeattachment_row
    ),
    "PriorityClass.scheduling.k8s.io": Printer(
        (NAME, _c("Value", "integer"), _c("Global-Default", "boolean"), AGE, _c("PreemptionPolicy")),
        lambda r, now: [
            _name(r),
            _int(r.get("value")),
            bool(r.get("globalDefault")),
            _age(r, now),
            str(r.get("preemptionPolicy") or "PreemptLowerPriority"),
        ],
    ),
    "Ingress.networking.k8s.io": Printer(
        (NAME, _c("Class"), _c("Hosts"), _c("Address"), _c("Ports"), AGE), _ingress_row
    ),
    "NetworkPolicy.networking.k8s.io": Printer(
        (NAME, _c("Pod-Selector"), AGE),
        _simple(("Pod-Selector", lambda r: format_label_selector(k8s_netpol.pod_selector(r)))),
    ),
    "CustomResourceDefinition.apiextensions.k8s.io": Printer(
        (NAME, Column("Created At", "date", description=AGE_DESCRIPTION)), _crd_row
    ),
}


# -- custom resources -----------------------------------------------------------------------------------------
def _pc(name: str, json_path: str, type_: str = "string", priority: int = 0) -> dict[str, Any]:
    column: dict[str, Any] = {"name": name, "type": type_, "jsonPath": json_path}
    if priority:
        column["priority"] = priority
    return column


_AGE_PC = _pc("Age", ".metadata.creationTimestamp", "date")
_READY_PC = _pc("Ready", '.status.conditions[?(@.type=="Ready")].status')
_STATUS_PC = _pc("Status", '.status.conditions[?(@.type=="Ready")].message')
_FLUX = [_AGE_PC, _READY_PC, _STATUS_PC]
_FLUX_SOURCE = [_pc("URL", ".spec.url"), _AGE_PC, _READY_PC, _STATUS_PC]

# The additionalPrinterColumns the upstream CRDs declare; used when the snapshot lacks the CRD object itself.
KNOWN_CRD_COLUMNS: dict[str, list[dict[str, Any]]] = {
    "Kustomization.kustomize.toolkit.fluxcd.io": _FLUX,
    "HelmRelease.helm.toolkit.fluxcd.io": _FLUX,
    "GitRepository.source.toolkit.fluxcd.io": _FLUX_SOURCE,
    "HelmRepository.source.toolkit.fluxcd.io": _FLUX_SOURCE,
    "OCIRepository.source.toolkit.fluxcd.io": _FLUX_SOURCE,
    "HelmChart.source.toolkit.fluxcd.io": [
        _pc("Chart", ".spec.chart"),
        _pc("Version", ".spec.version"),
        _pc("Source Kind", ".spec.sourceRef.kind"),
        _pc("Source Name", ".spec.sourceRef.name"),
        _AGE_PC,
        _READY_PC,
        _STATUS_PC,
    ],
    "Certificate.cert-manager.io": [
        _READY_PC,
        _pc("Secret", ".spec.secretName"),
        _pc("Issuer", ".spec.issuerRef.name", priority=1),
        _pc("Status", '.status.conditions[?(@.type=="Ready")].message', priority=1),
        _AGE_PC,
    ],
    "Issuer.cert-manager.io": [
        _READY_PC,
        _pc("Status", '.status.conditions[?(@.type=="Ready")].message', priority=1),
        _AGE_PC,
    ],
    "ClusterIssuer.cert-manager.io": [
        _READY_PC,
        _pc("Status", '.status.conditions[?(@.type=="Ready")].message', priority=1),
        _AGE_PC,
    ],
    "CertificateRequest.cert-manager.io": [
        _pc("Approved", '.status.conditions[?(@.type=="Approved")].status'),
        _pc("Denied", '.status.conditions[?(@.type=="Denied")].status'),
        _READY_PC,
        _pc("Issuer", ".spec.issuerRef.name"),
        _pc("Requester", ".spec.username"),
        _pc("Status", '.status.conditions[?(@.type=="Ready")].message', priority=1),
        _AGE_PC,
    ],
    "GatewayClass.gateway.networking.k8s.io": [
        _pc("Controller", ".spec.controllerName"),
        _pc("Accepted", '.status.conditions[?(@.type=="Accepted")].status'),
        _AGE_PC,
        _pc("Description", ".spec.description", priority=1),
    ],
    "Gateway.gateway.networking.k8s.io": [
        _pc("Class", ".spec.gatewayClassName"),
        _pc("Address", ".status.addresses[*].value"),
        _pc("Programmed", '.status.conditions[?(@.type=="Programmed")].status'),
        _AGE_PC,
    ],
    "HTTPRoute.gateway.networking.k8s.io": [_pc("Hostnames", ".spec.hostnames"), _AGE_PC],
    "GRPCRoute.gateway.networking.k8s.io": [_pc("Hostnames", ".spec.hostnames"), _AGE_PC],
    "BackupStorageLocation.velero.io": [
        _pc("Phase", ".status.phase"),
        _pc("Last Validated", ".status.lastValidationTime", "date"),
        _AGE_PC,
        _pc("Default", ".spec.default", "boolean"),
    ],
    "Schedule.velero.io": [
        _pc("Status", ".status.phase"),
        _pc("Schedule", ".spec.schedule"),
        _pc("LastBackup", ".status.lastBackup", "date"),
        _AGE_PC,
        _pc("Paused", ".spec.paused", "boolean"),
    ],
    "Volume.longhorn.io": [
        _pc("Data Engine", ".spec.dataEngine"),
        _pc("State", ".status.state"),
        _pc("Robustness", ".status.robustness"),
        _pc("Scheduled", ".status.conditions[?(@.type=='Scheduled')].status"),
        _pc("Size", ".spec.size"),
        _pc("Node", ".status.currentNodeID"),
        _AGE_PC,
    ],
    "Node.longhorn.io": [
        _pc("Ready", ".status.conditions[?(@.type=='Ready')].status"),
        _pc("AllowScheduling", ".spec.allowScheduling", "boolean"),
        _pc("Schedulable", ".status.conditions[?(@.type=='Schedulable')].status"),
        _AGE_PC,
    ],
    "Setting.longhorn.io": [_pc("Value", ".value"), _pc("Applied", ".status.applied", "boolean"), _AGE_PC],
    "CiliumNode.cilium.io": [
        _pc("CiliumInternalIP", '.spec.addresses[?(@.type=="CiliumInternalIP")].ip'),
        _pc("InternalIP", '.spec.addresses[?(@.type=="InternalIP")].ip'),
        _AGE_PC,
    ],
    "CiliumLoadBalancerIPPool.cilium.io": [
        _pc("Disabled", ".spec.disabled", "boolean"),
        _pc("Conflicting", '.status.conditions[?(@.type=="cilium.io/PoolConflict")].status'),
        _pc("IPs Available", '.status.conditions[?(@.type=="cilium.io/IPsAvailable")].message'),
        _AGE_PC,
    ],
    "Prometheus.monitoring.coreos.com": [
        _pc("Version", ".spec.version"),
        _pc("Desired", ".spec.replicas", "integer"),
        _pc("Ready", ".status.availableReplicas", "integer"),
        _pc("Reconciled", '.status.conditions[?(@.type == "Reconciled")].status'),
        _pc("Available", '.status.conditions[?(@.type == "Available")].status'),
        _AGE_PC,
    ],
    "Alertmanager.monitoring.coreos.com": [
        _pc("Version", ".spec.version"),
        _pc("Replicas", ".spec.replicas", "integer"),
        _pc("Ready", ".status.availableReplicas", "integer"),
        _pc("Reconciled", '.status.conditions[?(@.type == "Reconciled")].status'),
        _pc("Available", '.status.conditions[?(@.type == "Available")].status'),
        _AGE_PC,
    ],
}


def _printer_value(values: list[Any], type_: str, now: datetime) -> Cell:
    if not values:
        return None
    if type_ == "date":
        return since(values[0], now) if isinstance(values[0], str) else None
    if len(values) == 1:
        value = values[0]
        if isinstance(value, dict | list):
            return json.dumps(value, separators=(",", ":"))
        if type_ == "integer" and isinstance(value, int | float) and not isinstance(value, bool):
            return int(value)
        if type_ == "number" and isinstance(value, int | float) and not isinstance(value, bool):
            return value
        if type_ == "boolean" and isinstance(value, bool):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)
    return ",".join(
        json.dumps(v, separators=(",", ":")) if isinstance(v, dict | list) else str(v) for v in values
    )


def crd_printer(columns: Sequence[Mapping[str, Any]]) -> Printer:
    """A Printer from ``additionalPrinterColumns`` (NAME first; AGE alone when the CRD declares none)."""
    specs = list(columns) or [_AGE_PC]
    table_columns = [NAME] + [
        Column(
            str(c.get("name", "")),
            str(c.get("type", "string")),
            int(c.get("priority") or 0),
            str(c.get("format", "")),
            str(c.get("description", "")),
        )
        for c in specs
    ]

    def row(raw: Mapping[str, Any], now: datetime) -> Row:
        return [
            _name(raw),
            *(
                _printer_value(
                    jsonpath.find(raw, str(c.get("jsonPath", ""))), str(c.get("type", "string")), now
                )
                for c in specs
            ),
        ]

    return Printer(tuple(table_columns), row)


DEFAULT_PRINTER = Printer((NAME, AGE), lambda r, now: [_name(r), _age(r, now)])


def printer_for(
    gk: str, crd_columns: Sequence[Mapping[str, Any]] | None = None, *, crd: bool = False
) -> Printer:
    """Built-in printer, else the CRD's own columns, else the upstream columns we know, else NAME AGE."""
    builtin = BUILTIN.get(gk)
    if builtin is not None:
        return builtin
    if crd_columns is not None:
        return crd_printer(crd_columns)
    known = KNOWN_CRD_COLUMNS.get(gk)
    if known is not None:
        return crd_printer(known)
    return crd_printer([]) if crd else DEFAULT_PRINTER


def partial_metadata(raw: Mapping[str, Any], api_version: str = "meta.k8s.io/v1") -> dict[str, Any]:
    return {"kind": "PartialObjectMetadata", "apiVersion": api_version, "metadata": dict(_meta(raw))}


def build_table(
    printer: Printer,
    objects: Sequence[Resource],
    full_objects: Sequence[Mapping[str, Any]],
    now: datetime,
    *,
    include_object: str = "Metadata",
    api_version: str = "meta.k8s.io/v1",
    list_meta: Mapping[str, Any] | None = None,
    columns: bool = True,
) -> dict[str, Any]:
    """A Table; ``full_objects`` are the objects as the API returns them (with kind and apiVersion)."""
    rows = []
    for res, full in zip(objects, full_objects, strict=True):
        raw = k8s_meta.whole(res)
        try:
            cells = printer.row(raw, now)
        except Exception:  # one odd object must not break `kubectl get` for the whole kind
            cells = [_name(raw)] + [None] * (len(printer.columns) - 1)
        row: dict[str, Any] = {"cells": cells}
        if res.kind == "Pod":
            conditions = pod_row_conditions(raw)
            if conditions:
                row["conditions"] = conditions
        if include_object == "Object":
            row["object"] = dict(full)
        elif include_object != "None":
            row["object"] = partial_metadata(raw, api_version)
        rows.append(row)
    table: dict[str, Any] = {"kind": "Table", "apiVersion": api_version, "metadata": dict(list_meta or {})}
    if columns:
        table["columnDefinitions"] = [c.to_dict() for c in printer.columns]
    table["rows"] = rows
    return table
