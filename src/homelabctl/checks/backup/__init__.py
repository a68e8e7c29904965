"""Backup layer: Velero storage locations, snapshot locations, schedules and their backups."""
