"""Benchmarks of rhd_match: a scale ladder, baselines side by side, solver comparison.

Run ``python -m benchmarks --sizes XS,S,M`` from the repository root (see
``benchmarks/__main__.py``); each size and task runs in its own process
(``python -m benchmarks.one``), results go to ``benchmarks/results/``.
"""
