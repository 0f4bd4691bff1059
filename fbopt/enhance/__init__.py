"""`fbopt enhance`: one module per strategy (grammar, readability, engagement, sentiment); the
enhancer keeps a strategy's change only when overall_quality rises and every protected span
(URLs, @mentions, #hashtags, numbers, prices, quoted text) is unchanged.

`fbopt.enhance(...)` is also the Python API (fbopt.enhance.run.enhance): once this package is
imported, `fbopt.enhance` names the package, so the package itself is made callable.
"""

from __future__ import annotations

import sys
import types
from typing import Any


class _CallablePackage(types.ModuleType):
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from fbopt.enhance.run import enhance

        return enhance(*args, **kwargs)


sys.modules[__name__].__class__ = _CallablePackage
