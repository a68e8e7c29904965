"""Typed, crash-proof readers of Kubernetes objects: the only code that reads raw object fields.

Each module reads one family of fields and returns small frozen dataclasses. Every reader accepts a
loaded ``Resource`` or a plain mapping (a scan document's data, a sub-object) and tolerates wrong types by
returning a safe default: a string where a map belongs, ``replicas: "zzz"``, ``parentRefs: ["gw"]``, null.

- ``meta``: sections, names, labels, annotations, owner references, applied-or-manifest
- ``conditions``: ``status.conditions``
- ``pods``: container statuses (state, last state, OOMKilled, restarts), containers, resources, volumes,
  tolerations, pod templates
- ``routes``: Gateway API parent/backend refs, rules, filters, parent statuses; Ingress backends
- ``nodes``: taints, kubelet version, allocatable
- ``workloads``: replica counts
- ``storage``: claims, claim templates, StorageClasses, PersistentVolume pinning, CSINode drivers
- ``endpoints``: EndpointSlices and Endpoints
- ``events``: Events
- ``selectors``: label selectors
"""
