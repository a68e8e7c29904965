"""``homelabctl watch``: the cluster's state kept current from list+watch, checks and diagnosis re-run on
change, history in SQLite, a dashboard, metrics and notifications."""
