"""The embedded demo: the seed homelab caught in a bad hour (``snapshot/``) and its inventory."""
