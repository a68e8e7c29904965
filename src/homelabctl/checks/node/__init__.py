"""Node layer: kubelet status, conditions, taints, versions, control plane."""
