"""Time both Markdown renderers on the pathological corpus, at the length limits.

    python bench/markdown_bench.py     # prints, and writes its section of docs/benchmarks.md
    python bench/markdown_bench.py --runs 9 --no-write

Every input of tests/security/markdown_corpus.py is rendered once to warm up and then
--runs times; its time is the median of those runs (the wall clock: the budget inside the
renderer counts CPU time). The goal: the slowest input of each renderer takes at most 50 ms.
"""

import argparse
import logging
import os
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "journalclub.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

from bench.bench import machine, replace_section, versions  # noqa: E402
from journalclub.markdown import EDITORIAL_MAX_LENGTH, render_comment, render_editorial  # noqa: E402
from tests.security.markdown_corpus import corpus  # noqa: E402

RUNS = 5
GOAL_MS = 50


class FallbackCounter(logging.Handler):
    """Counts the texts the renderer showed as plain text (it logs each one)."""

    def __init__(self):
        super().__init__(logging.INFO)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


def time_one(render, text: str, runs: int) -> tuple[float, float]:
    """Median wall-clock and CPU milliseconds."""
    render(text)
    wall, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.thread_time()
        render(text)
        wall.append(time.perf_counter() - started)
        cpu.append(time.thread_time() - started_cpu)
    return statistics.median(wall) * 1000, statistics.median(cpu) * 1000


def measure(label: str, render, length: int, runs: int) -> dict:
    counter = FallbackCounter()
    logger = logging.getLogger("journalclub.markdown")
    logger.addHandler(counter)
    logger.propagate = False
    try:
        texts = corpus(length)
        timings = {name: time_one(render, text, runs) for name, text in texts.items()}
    finally:
        logger.removeHandler(counter)
        logger.propagate = True
    medians = {name: wall for name, (wall, _) in timings.items()}
    ordered = sorted(medians.values())
    slowest = max(medians, key=medians.get)
    return {
        "label": label,
        "length": length,
        "inputs": len(ordered),
        "plain_text": counter.count // (runs + 1),
        "slowest": slowest,
        "slowest_ms": medians[slowest],
        "slowest_cpu_ms": timings[slowest][1],
        "max_cpu_ms": max(cpu for _, cpu in timings.values()),
        "p50": statistics.median(ordered),
        "p90": ordered[int(0.9 * (len(ordered) - 1))],
        "over_goal": sum(1 for value in ordered if value > GOAL_MS),
        "top": sorted(medians.items(), key=lambda item: -item[1])[:5],
    }


def table(results: list[dict]) -> str:
    lines = [
        "| renderer | characters | inputs | slowest input | its median ms (CPU) | p50 ms "
        f"| p90 ms | most CPU ms | over {GOAL_MS} ms | shown as plain text |",
        "| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        lines.append(
            f"| {r['label']} | {r['length']:,} | {r['inputs']} | {r['slowest']} | "
            f"{r['slowest_ms']:.1f} ({r['slowest_cpu_ms']:.1f}) | {r['p50']:.1f} | "
            f"{r['p90']:.1f} | {r['max_cpu_ms']:.1f} | {r['over_goal']} | {r['plain_text']} |"
        )
    lines.append("")
    for r in results:
        top = ", ".join(f"{name} {ms:.1f}" for name, ms in r["top"])
        lines.append(f"- Slowest five, {r['label']} at {r['length']:,}: {top} ms.")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    args.load = os.getloadavg()[0]
    limit = settings.COMMENTS_MAX_LENGTH
    results = []
    for label, render, length in [
        ("render_comment", render_comment, limit),
        ("render_editorial", render_editorial, EDITORIAL_MAX_LENGTH),
        # Beyond the limits the time is still bounded, growing with the length.
        ("render_comment", render_comment, 2 * limit),
        ("render_editorial", render_editorial, 2 * EDITORIAL_MAX_LENGTH),
    ]:
        print(f"{label}, {length:,} characters...", file=sys.stderr, flush=True)
        results.append(measure(label, render, length, args.runs))
    report = table(results)
    print(report)
    if not args.no_write:
        write_report(report, args)


def write_report(report: str, args) -> None:
    section = (
        f"## Markdown renderers on the pathological corpus\n\n"
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {machine()}; {versions()}; "
        f"load average {args.load:.2f} at the start.\n"
        f"Command: `python bench/markdown_bench.py --runs {args.runs}` (part of `make bench`). "
        f"Each of the corpus's inputs (`tests/security/markdown_corpus.py`) at the length "
        f"shown, rendered once to warm up, then {args.runs} times: the median of those "
        "runs, wall clock, including nh3. Goal: the slowest input at most "
        f"{GOAL_MS} ms. Shown as plain text: the inputs over the renderer's budget or "
        "nested too deep.\n\n"
        f"{report}\n"
    )
    replace_section(ROOT / "docs" / "benchmarks.md", "markdown-bench", section, title="Benchmarks")


if __name__ == "__main__":
    main()
