"""The benchmark suite behind `fbopt benchmark`: stages, a subprocess harness, reports for CI.

Not for speed claims inside tests: tests check the report's shape, never its timings.
"""
