"""Workload layer: pods, controllers and jobs."""
