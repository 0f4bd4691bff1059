"""fbopt: turn topics into ready-to-post Facebook drafts, score and improve posts, predict
engagement. The Python API is the few names in __all__; each loads its module on first use, so
`import fbopt` stays light."""

from __future__ import annotations

from importlib import import_module
from typing import Any

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


def __getattr__(name: str) -> Any:
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'fbopt' has no attribute {name!r}")
    return getattr(import_module(module), name)
