#!/usr/bin/env bash
set -euo pipefail
install -m 600 /dev/null ~/.ssh/id_ed25519
printf '%s' "$SSH_PRIVATE_KEY" > ~/.ssh/id_ed25519
rsync -a compose/ nas.lan:/srv/compose/
ssh nas.lan 'cd /srv/compose && docker compose pull && docker compose up -d'
