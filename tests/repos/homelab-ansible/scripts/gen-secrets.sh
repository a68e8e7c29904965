#!/usr/bin/env bash
# Generates every secret the lab needs and writes them SOPS-encrypted.
set -euo pipefail
export GRAFANA_ADMIN_PASSWORD="$(openssl rand -base64 24)"
export MINIO_ROOT_PASSWORD=`openssl rand -hex 16`
export OAUTH2_PROXY_COOKIE_SECRET=$(python3 -c 'import secrets; print(secrets.token_urlsafe(24))')
envsubst < templates/secrets.yaml | sops --encrypt --input-type yaml --output-type yaml /dev/stdin > kubernetes/apps/secrets.sops.yaml
