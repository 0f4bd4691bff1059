"""The benchmark page's charts as plotly figures: throughput per stage (bars with the slowest to
fastest run as whiskers) and scaling lines, drawn by the same library as the dashboard.

Not for the page around them (fbopt.bench.render), which inlines plotly.js once, so the page
stays one file that works offline.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def _layout(fig: Any, title: str, height: int, **extra: Any) -> Any:
    extra.setdefault("margin", {"l": 60, "r": 20, "t": 50, "b": 50})
    fig.update_layout(template="plotly_white", title={"text": title, "x": 0.01}, height=height,
                      **extra)
    return fig


def bar_chart(items: Sequence[tuple[str, float, float, float]], title: str,
              unit: str) -> Any | None:
    """Horizontal bars (label, value, low, high) on a log axis; whiskers show low to high.
    None when nothing has a value."""
    import plotly.graph_objects as go

    items = [i for i in items if i[1] > 0]
    if not items:
        return None
    labels = [i[0] for i in items]
    values = [i[1] for i in items]
    fig = go.Figure(go.Bar(
        x=values, y=labels, orientation="h", marker_color="#4472c4",
        error_x={"type": "data", "symmetric": False,
                 "array": [max(i[3] - i[1], 0.0) for i in items],
                 "arrayminus": [max(i[1] - min(i[1], i[2]), 0.0) for i in items]},
        text=[f"{v:,.0f}" for v in values], textposition="outside",
        hovertemplate=f"%{{y}}: %{{x:,.1f}} {unit}<extra></extra>"))
    return _layout(fig, title, 80 + 32 * len(items), xaxis_type="log",
                   xaxis_title=f"{unit}, log scale; whiskers: slowest to fastest run",
                   yaxis_autorange="reversed", margin={"l": 170, "r": 40, "t": 50, "b": 50})


def line_chart(series: dict[str, list[tuple[float, float]]], title: str, x_label: str,
               y_label: str, log_y: bool = True) -> Any | None:
    """One line per series over a log x axis (rows); the y axis is log or linear. None when
    no series has a point."""
    import plotly.graph_objects as go

    series = {k: sorted(v) for k, v in series.items() if v}
    if not series:
        return None
    fig = go.Figure([go.Scatter(x=[p[0] for p in pts], y=[p[1] for p in pts], name=name,
                                mode="lines+markers",
                                hovertemplate=f"{name}: %{{x:,.0f}} rows, %{{y:,.2f}}"
                                              "<extra></extra>")
                     for name, pts in series.items()])
    return _layout(fig, title, 320, xaxis_type="log", xaxis_title=x_label,
                   yaxis_type="log" if log_y else "linear", yaxis_title=y_label, width=520)


def embed(fig: Any | None, div_id: str) -> str:
    """The figure as a div and the script that draws it (plotly.js must be on the page)."""
    if fig is None:
        return ""
    return fig.to_html(full_html=False, include_plotlyjs=False, div_id=div_id,
                       config={"displaylogo": False})


def plotly_js() -> str:
    """plotly.js itself, for one inline <script> per page."""
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()
