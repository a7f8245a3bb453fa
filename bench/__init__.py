"""Benchmarks of microgradnet against micrograd, PyTorch on 0-d tensors and hand-written plain Python.

Run `python -m bench` (or `python bench/run.py`); `--quick` for a smoke run, `--json FILE` for results.
"""
