"""Analytics: the run history in SQLite, live and pushed Prometheus metrics, alerts, the dashboard.

Not for any command's logic. Importing this package is light (stdlib only): prometheus_client,
plotly and pandas load inside the functions that need them.
"""

from __future__ import annotations

from fbopt.analytics.record import record_run, watch_run

__all__ = ["record_run", "watch_run"]
