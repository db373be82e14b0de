"""Benchmarks for pufa-flow: ``python -m benchmarks --help``.

Each ``bench_*.py`` module exposes ``run(ctx) -> list[Result]``; the runner in
``__main__`` finds them, so a new benchmark is just a new module. Nothing here
runs inside the pytest suite as a timed test.
"""
