"""`fbopt --help` stays light: no torch, pandas or SDK import (speed is measured in
scripts/measure_startup.py, not here)."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("torch", "pandas", "openai", "anthropic", "cohere", "google.genai", "harper",
         "language_tool_python", "textstat", "vaderSentiment", "matplotlib", "pyarrow")

PROBE = """
import contextlib, io, sys
from fbopt.cli.main import cli
for args in (['--help'],) + tuple([name, '--help'] for name in cli.list_commands(None)):
    with contextlib.redirect_stdout(io.StringIO()):
        try:
            cli(args)
        except SystemExit:
            pass
print('loaded:' + ','.join(m for m in HEAVY if m in sys.modules))
"""


def test_help_imports_nothing_heavy() -> None:
    code = f"HEAVY = {HEAVY!r}\n{PROBE}"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "loaded:"
