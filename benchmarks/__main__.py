"""`python -m benchmarks [NAME ...]`: runs every registered benchmark (or the named ones) with
its defaults and prints one table. A new benchmark is a module with `run() -> Report`, added
to `BENCHMARKS`; its own options are on its command line (`python -m benchmarks.NAME --help`).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence

from benchmarks import poll_cycle, publish_claim, replicas, web_pages
from benchmarks.report import Report, render

BENCHMARKS: dict[str, Callable[[], Report]] = {
    "poll_cycle": poll_cycle.run,
    "publish_claim": publish_claim.run,
    "web_pages": web_pages.run,
    "replicas": replicas.run,
}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("names", nargs="*", metavar="NAME", help=", ".join(BENCHMARKS))
    names = parser.parse_args(argv).names or list(BENCHMARKS)
    unknown = sorted(set(names) - set(BENCHMARKS))
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
    print(render([BENCHMARKS[name]() for name in names]))


if __name__ == "__main__":
    main()
