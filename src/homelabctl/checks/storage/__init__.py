"""Storage layer: PVCs, StorageClasses, CSI drivers and their node plugins, Longhorn, local-path."""
