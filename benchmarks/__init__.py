"""Benchmarks of xmess-bot: `python -m benchmarks` runs them all and prints one table.

Each benchmark is a module with a `run() -> benchmarks.report.Report` and its own command line
(`python -m benchmarks.<name> --help`); `benchmarks/__main__.py` lists them. See README.md.
"""
