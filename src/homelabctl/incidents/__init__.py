"""Incident records (AARs) kept in one SQLite file, rendered in the seed's AAR Log format."""
