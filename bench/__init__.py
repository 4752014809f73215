"""Benchmarks of the build and of the serving: `make bench` writes bench/RESULTS.md."""
