#!/usr/bin/env bash
# Join a new worker to the cluster. Run on the new node as root.
set -euo pipefail
NODE_IP="${1:?usage: join-node.sh <node-ip>}"
curl -sfL https://get.k3s.io | INSTALL_K3S_VERSION=v1.31.4+k3s1 \
  K3S_URL=https://10.20.0.10:6443 \
  K3S_TOKEN=K10559b09c388007decb51667fa54906c945234055fcad1881305abbd5e7c8545e1::server:8779970375c0de552cc23baf0b13c1d0 \
  sh -s - agent --node-ip "$NODE_IP"
