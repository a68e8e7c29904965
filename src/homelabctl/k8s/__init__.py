"""Typed, crash-proof readers of Kubernetes objects: the only code that reads raw object fields.

Each module reads one family of fields and returns small frozen msgspec Structs. Every reader accepts a
loaded ``Resource`` or a plain mapping (a scan document's data, a sub-object) and tolerates wrong types by
returning a safe default: a string where a map belongs, ``replicas: "zzz"``, ``parentRefs: ["gw"]``, null.

- ``meta``: sections, names, labels, annotations, owner references, applied-or-manifest, Secret keys
- ``conditions``: ``status.conditions``
- ``pods``: container statuses (state, last state, OOMKilled, restarts), containers, resources, volumes,
  tolerations, scheduling, pod templates
- ``routes``: Gateway API parent/backend refs, rules, filters, parent statuses; Ingress backends
- ``gateways``: Gateway listeners, addresses, listener status, policy target refs
- ``services``: selectors, ports, load-balancer fields
- ``nodes``: taints, kubelet version, capacity, addresses
- ``workloads``: replica counts, DaemonSet/Job/CronJob state
- ``storage``: claims, claim templates, StorageClasses, PersistentVolume pinning, CSINode drivers
- ``events``: Events
- ``selectors``: label selectors
- ``flux``, ``certmanager``, ``velero``, ``cilium``, ``longhorn``, ``crds``, ``quotas``: controller objects
- ``netpol``: NetworkPolicies (pod selector, policy types, ingress peers)
- ``admission``: webhook configurations (each webhook's Service and failure policy)
- ``longhorn_volumes``, ``helmreleases``, ``fluxsources``: Longhorn volumes and replicas, HelmRelease storage
  and history, Flux sources' origins
- ``nfs``: NFS shares mounted inline by pods
- ``fluxspec``, ``manifests``, ``crd_schemas``: what a GitOps repository writes (Flux references with their
  list positions, counts before variable substitution, CRD version schemas)
- ``nodeinfo``, ``policies``: a Node's software versions; which optional features a policy object declares
- ``revisions``, ``scrub``, ``templates``: resource versions and list continuation (watch, feeds), what a
  capture drops, a CronJob's job template
- ``refs``: references between objects and to hosts outside the cluster (registries, NFS servers, URLs),
  failure classes in controller messages, a Service's endpoints from its EndpointSlices, else Endpoints
"""
