"""Incident records (AARs) kept in one SQLite file, rendered as the CLUSTER-SETUP "AAR Log"."""
