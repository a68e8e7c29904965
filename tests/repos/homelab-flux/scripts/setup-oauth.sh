#!/usr/bin/env bash
# Create the oauth2-proxy client in Authentik and the matching SOPS secret.
set -euo pipefail
CLIENT_ID="prometheus"
CLIENT_SECRET=$(openssl rand -hex 32)
COOKIE_SECRET=$(openssl rand -base64 32 | head -c 32)
AUTHENTIK_TOKEN="${AUTHENTIK_TOKEN:?set AUTHENTIK_TOKEN}"
kubectl create secret generic oauth2-proxy -n monitoring \
  --from-literal=client-id="$CLIENT_ID" \
  --from-literal=client-secret="$CLIENT_SECRET" \
  --from-literal=cookie-secret="$COOKIE_SECRET" \
  --dry-run=client -o yaml | sops --encrypt --input-type yaml --output-type yaml /dev/stdin
