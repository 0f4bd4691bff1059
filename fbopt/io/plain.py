"""Plain Python values for the Python API: what pandas and pyarrow leave in a row (NaN, NA,
NaT, numpy scalars and object arrays) turned into None, int, float, str, lists and dicts.

Not for files: writers keep Arrow types as they are.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any


def plain(value: Any) -> Any:
    """`value` with every missing marker as None and every container as a list or dict."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if isinstance(value, int):
        return value
    if _missing(value):
        return None
    if isinstance(value, datetime | date):  # pandas' Timestamp is a datetime
        return value.isoformat()
    if hasattr(value, "tolist"):  # a numpy scalar or array: tolist gives Python values
        return plain(value.tolist())
    return value


def plain_row(row: Mapping[str, Any]) -> dict[str, Any]:
    return {str(k): plain(v) for k, v in row.items()}


def _missing(value: Any) -> bool:
    """pandas.NA and NaT, recognised without importing pandas (it is loaded when they exist)."""
    import sys

    pandas = sys.modules.get("pandas")
    if pandas is None:
        return False
    return value is pandas.NA or value is pandas.NaT
