"""Readings of Kubernetes objects the way kubectl and the controllers make them: moved to
:mod:`homelabctl.k8s.kubectl` with the other readers; this module keeps the old import path working."""

from __future__ import annotations

from homelabctl.k8s.kubectl import (
    K3S_KUBELET_DIR as K3S_KUBELET_DIR,
)
from homelabctl.k8s.kubectl import (
    NODE_UNREACHABLE_REASON as NODE_UNREACHABLE_REASON,
)
from homelabctl.k8s.kubectl import (
    STANDARD_KUBELET_DIR as STANDARD_KUBELET_DIR,
)
from homelabctl.k8s.kubectl import (
    PodSummary as PodSummary,
)
from homelabctl.k8s.kubectl import (
    container_statuses as container_statuses,
)
from homelabctl.k8s.kubectl import (
    node_display_status as node_display_status,
)
from homelabctl.k8s.kubectl import (
    node_is_control_plane as node_is_control_plane,
)
from homelabctl.k8s.kubectl import (
    node_is_k3s as node_is_k3s,
)
from homelabctl.k8s.kubectl import (
    node_is_ready as node_is_ready,
)
from homelabctl.k8s.kubectl import (
    node_kubelet_version as node_kubelet_version,
)
from homelabctl.k8s.kubectl import (
    node_ready_status as node_ready_status,
)
from homelabctl.k8s.kubectl import (
    node_roles as node_roles,
)
from homelabctl.k8s.kubectl import (
    node_roles_text as node_roles_text,
)
from homelabctl.k8s.kubectl import (
    node_status_text as node_status_text,
)
from homelabctl.k8s.kubectl import (
    pod_containers as pod_containers,
)
from homelabctl.k8s.kubectl import (
    pod_display_status as pod_display_status,
)
from homelabctl.k8s.kubectl import (
    pod_is_finished as pod_is_finished,
)
from homelabctl.k8s.kubectl import (
    pod_is_ready as pod_is_ready,
)
from homelabctl.k8s.kubectl import (
    pod_node as pod_node,
)
from homelabctl.k8s.kubectl import (
    pod_ready_counts as pod_ready_counts,
)
from homelabctl.k8s.kubectl import (
    pod_restarts as pod_restarts,
)
from homelabctl.k8s.kubectl import (
    pod_summary as pod_summary,
)
from homelabctl.k8s.kubectl import (
    pod_template_spec as pod_template_spec,
)
from homelabctl.k8s.kubectl import (
    pods_of as pods_of,
)
from homelabctl.k8s.kubectl import (
    requested as requested,
)
from homelabctl.k8s.kubectl import (
    workload_replicas as workload_replicas,
)
