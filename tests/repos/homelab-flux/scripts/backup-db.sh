#!/usr/bin/env bash
# Nightly dump of the Authentik database to B2 (cron on k3s-storage-1).
set -euo pipefail
export B2_APPLICATION_KEY_ID=005ae6a26eb890d6bb358c6200000000002
export B2_APPLICATION_KEY=K005hkvCmuAuYxnBUhDwzuhspOilWUO
export PGPASSWORD=sUTM3iwkBZfgOnCOWapLlcvH
pg_dump -h 10.20.0.31 -U authentik authentik | gzip | b2 file upload homelab-backups - "authentik-$(date +%F).sql.gz"
