#!/usr/bin/env bash
# Bootstrap Flux on the k3s-home cluster. The GitHub token comes from the environment, never from here.
set -euo pipefail
: "${GITHUB_TOKEN:?export GITHUB_TOKEN first}"
flux bootstrap github --owner=sudoflux --repository=flux-k3s --path=clusters/k3s-home --personal
kubectl -n flux-system create secret generic sops-age --from-file=age.agekey="$HOME/.config/sops/age/keys.txt"
