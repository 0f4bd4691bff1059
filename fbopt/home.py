"""Where fbopt keeps its state: one relocatable folder, FBOPT_HOME.

Caches, trained models and performance history all live under it; nothing else writes outside
the output paths the user names.
"""

from __future__ import annotations

import os
from pathlib import Path


def fbopt_home() -> Path:
    """FBOPT_HOME if set, else the platform's user cache folder for fbopt. Created on demand."""
    env = os.environ.get("FBOPT_HOME")
    if env:
        path = Path(env).expanduser()
    else:
        from platformdirs import user_cache_dir

        path = Path(user_cache_dir("fbopt", appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def home_path(*parts: str) -> Path:
    """A path under FBOPT_HOME; parent folders are created."""
    path = fbopt_home().joinpath(*parts)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path
