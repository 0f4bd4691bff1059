"""fbopt: turn topics into ready-to-post Facebook drafts, score and improve posts, predict
engagement. The Python API is the few names in __all__; each loads its module on first use, so
`import fbopt` stays light."""

from __future__ import annotations

from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fbopt.io.plain import plain_row

if TYPE_CHECKING:
    from fbopt.config import Config

__version__ = "0.1.0"

_API = {
    "generate": "fbopt.drafts.stage",
    "quick_post": "fbopt.drafts.stage",
    "load_config": "fbopt.config",
    "FboptError": "fbopt.errors",
    "learn": "fbopt.engagement.learn",
    "predict": "fbopt.engagement.predict",
    "benchmark": "fbopt.bench.suite",
    "score": "fbopt.quality.api",
    "enhance": "fbopt.enhance.run",
    "history": "fbopt.analytics.api",
}

__all__ = ["__version__", *_API]


def quick_post(topic: str, audience: str = "general", *, tone: str = "friendly",
               config: Config | str | Path | None = None) -> dict[str, Any]:
    """One post for one topic, as a dict of the output columns in plain Python values: None for
    a missing value (never NaN), lists of dicts for grammar_issues (never a numpy array)."""
    make = import_module(_API["quick_post"]).quick_post
    return plain_row(make(topic, audience, tone=tone, config=config))


def __getattr__(name: str) -> Any:
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'fbopt' has no attribute {name!r}")
    return getattr(import_module(module), name)
