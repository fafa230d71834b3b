"""Benchmarks (`shadow bench`): scaled estates, timed capture and seeding, the report."""
