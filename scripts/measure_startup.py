"""Time `fbopt --help` and list heavy modules it imports (target: under 0.3 s, none heavy).

Usage: python scripts/measure_startup.py [--repeat 10]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

HEAVY = ("torch", "pandas", "openai", "anthropic", "cohere", "google.genai", "harper",
         "language_tool_python", "textstat", "vaderSentiment", "matplotlib", "diskcache")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    times = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "fbopt", "--help"], check=True,
                       capture_output=True)
        times.append(time.perf_counter() - start)
    probe = ("import contextlib, io, sys; from fbopt.cli.main import cli\n"
             "with contextlib.redirect_stdout(io.StringIO()):\n"
             "    try:\n        cli(['--help'])\n    except SystemExit:\n        pass\n"
             f"print('loaded:' + ','.join(m for m in {HEAVY!r} if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=True).stdout.strip().splitlines()[-1].removeprefix("loaded:")
    print(f"fbopt --help: median {statistics.median(times):.3f}s, "
          f"min {min(times):.3f}s over {args.repeat} runs")
    print(f"heavy modules imported: {loaded or 'none'}")


if __name__ == "__main__":
    main()
