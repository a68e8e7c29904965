"""GPU layer: GPU scheduling, sharing, quotas and the device plugin stack."""
