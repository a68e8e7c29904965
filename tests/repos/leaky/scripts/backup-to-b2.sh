#!/usr/bin/env bash
# Copies the Velero bucket to Backblaze B2 every night.
set -euo pipefail
export AWS_ACCESS_KEY_ID=AKIAZ7Q3K5N2P8R4T6WX
export B2_APPLICATION_KEY_ID=0025f9a3c7e1b4d0000000003
GITHUB_TOKEN=ghp_R2d8Kq7Lm3Np9Xz4Vb6Hc1Jf5Gt0Ws2Ye8Ua
rclone sync minio:velero b2:k3s-home-velero
