"""``homelabctl scan PATH``: audit of a Flux GitOps repository before Flux applies it (rules, walk, config).

A regular package, not a namespace one: the per-command module cache (``homelabctl.modcache``) holds
regular modules only, and a namespace package would make every run that imports this one write it anew."""
