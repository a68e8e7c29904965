"""The embedded demo: a four-node K3s + Flux homelab caught in a bad hour (``snapshot/``) and its inventory."""
