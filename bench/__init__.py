"""The benchmark harness of issue 7: DFU Monitor at clinic scale (10,000 patients).

`python -m bench.run --patients N` (Makefile: `make bench`, `make bench-quick`). Every timing
is the median of several runs after a warm-up; every ratio is taken against a floor measured
in the same process and run (see bench/README.md). Not part of the application package.
"""
