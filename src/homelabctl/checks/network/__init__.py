"""Network layer: the CNI (Cilium) agents, node networking, Gateway API support, BGP and LB IP pools."""
