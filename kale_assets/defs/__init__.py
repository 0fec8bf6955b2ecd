"""Dagster wiring: partitions, resources, checks and one module per asset. Domain logic lives outside."""
