# ruff: noqa
# type: ignore
"""What vulture reports as unused but is not (run: ``vulture``; configuration in pyproject.toml).

Registered checks, scan rules, cause rules, click commands and pydantic validators are already recognised
by their decorators, framework hooks by name (``ignore_names``). This file lists the rest, each with why.
Section 3 is a to-do list, not an allowance: dead code in files other work was changing when the list was
made. Remove the code and its line here; never add to section 3.
"""

_ = object()

# 1. Fields of records that are serialised, parsed or exported: nothing in Python reads them, users do.
_.schema_  # report envelope: serialised as "schema" (pydantic alias)
_.tool  # report envelope: the tool block of the JSON report
_.documents  # scan report summary: serialised
_.manifests_path  # homelab.yaml field (inventory model): users write it
_.PREVIEW  # Lifecycle member a check may declare (the catalogue and docs render it)
_.DEPRECATED  # Lifecycle member, as above
_.VOLUME_ATTACHMENT  # kinds.py: one constant per kind homelabctl knows (discovery and printers use the table)
_.notified  # watch history row: a column of the episodes table, read back as a row
_.watch_events  # a Prometheus counter, exported on /metrics
_.commits  # scan history result: the number of commits read
_.auth_proxy  # security checks: the identification record says what it matched
_.name_prefix  # kustomization namePrefix, parsed (not yet applied to object names: a known gap)
_.name_suffix  # kustomization nameSuffix, as above
# typed readers (k8s/): the frozen view of an object names what it parses, used or not yet
_.attached_routes
_.finished_at
_.config_map_ref
_.volume_mounts
_.restart_policy
_.host_path
_.config_map
_.explicit_namespace
_.weight
_.attributes

# 2. Set for a library that reads them.
_.__class__  # model.Resource.from_parts: read by the interpreter, it makes a filled-in object a Resource
_.gid  # tarfile.TarInfo: a deterministic snapshot tarball
_.gname
_.uname
_.mtime
_.connection_pool_maxsize  # kubernetes.client.Configuration
_.user_agent
_.__spec__  # a module object built by hand for detect-secrets' plugin loader

# 2b. Renderers named by import path in report/renderers.py (imported only when their format is asked for).
_.check_text
_.diagnose_text
_.render_diagnose_json
_.json_text
_.sarif_text
_.to_text

# 3. Dead, in files other work was changing when this list was made: remove the code, then the line.
_.all_container_statuses  # k8s/pods.py
_.is_finished  # k8s/pods.py
_.tolerates  # k8s/pods.py
_.external_users  # diagnose/graph.py
_.preferred_version  # live/discovery.py
_.has_placeholder  # diagnose/rules/_common.py
