"""The facts homelabctl knows about the software a homelab runs, one copy each.

Cluster checks and repository scan rules that cover the same hazard read the same table here, so the two
cannot disagree about what an admin UI, a data store or a deprecated API is (a test holds them to it).

- ``admin_uis``: UIs with no login of their own, how to recognise them and their ports; auth proxies
- ``data_stores``: what keeps data that matters (and the companions that do not); node-local storage
- ``apis``: Kubernetes API versions removed by release, controller (Flux, cert-manager, Gateway API)
  versions deprecated or gone
- ``charts``: chart values renamed or removed by chart version
- ``csi``: kubelet root dirs, CSI drivers and provisioners, the chart value setting each driver's kubelet dir
- ``net_errors``: how programs write a network timeout and a DNS lookup nobody answered
- ``cni``: the pod network agents (DaemonSet names, containers, status commands, host paths)
- ``controllers``: the controllers (cert-manager, Flux, Velero, cainjector) and what they reconcile
- ``serves``: what an object serves (users, data, the platform, observability), for ranking causes
"""
