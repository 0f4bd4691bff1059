"""The dashboard's charts, as plotly figures built from history rows (oldest run first).

Not for the page around them (fbopt.analytics.dashboard). Every point carries its run's id in
`customdata`, so the page's filters (command, input) can keep or drop it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

SCORES = ("grammar_score", "readability_score", "sentiment_score", "engagement_score",
          "creativity_score", "overall_quality")
LEARN = ("spearman", "spearman_within_page", "mae_log", "interval_coverage")
FINISHED = ("ok", "rows_failed")
# Only generate writes new posts: a predict or enhance run of a generated file carries its
# model and prompt columns through, and counting those would count the same posts twice.
POSTS_WRITTEN = ("generate",)
# A lone run (or runs seconds apart) would get plotly's millisecond-wide autorange.
PAD = timedelta(hours=1)
Row = dict[str, Any]


def figures(rows: list[Row]) -> list[tuple[str, str, Any]]:
    """(id, title, figure) of every chart, in page order."""
    generated = [r for r in rows if r.get("command") in POSTS_WRITTEN]
    charts = [
        ("throughput", "Throughput (rows/s, log scale)",
         _per_command(rows, "rows_per_second", "rows/s", yaxis_type="log")),
        ("cost", "Cost per post (USD)", _per_command(rows, "cost_per_post", "USD per post",
                                                     yaxis_rangemode="nonnegative")),
        ("cache", "Cache hit rate", _cache(rows)),
        ("failures", "Failure rate (share of rows; crashed runs at 100%)", _failures(rows)),
        ("scores", "generate: score means of the posts written", _series(
            [r for r in generated if r.get("scores")], {s: _score(s) for s in SCORES},
            "mean score")),
        ("enhance", "enhance: score means of the posts after enhancing", _series(
            [r for r in rows if r.get("command") == "enhance" and r.get("scores")],
            {s: _score(s) for s in SCORES}, "mean score")),
        ("engagement", "Mean predicted engagement (interactions per post)",
         _per_command([r for r in rows if r.get("command") == "predict"],
                      "mean_predicted_engagement", "interactions",
                      yaxis_rangemode="nonnegative")),
        ("learn", "learn: validation metrics", _series(
            [r for r in rows if r.get("command") == "learn"], {m: _learn(m) for m in LEARN},
            "value")),
        ("models", "generate: model mix (posts per run)", _mix(generated, "model_mix")),
        ("prompts", "generate: prompt mix (posts per run)", _mix(generated, "prompt_mix")),
        ("alerts", "Alerts fired", _alerts(rows)),
    ]
    for _, _, fig in charts:
        _pad_time(fig)
        if not points(fig):
            _no_data(fig)
    return charts


def points(fig: Any) -> int:
    """Data points in a figure (over all its traces)."""
    return sum(len(trace.y or ()) for trace in fig.data)


def _no_data(fig: Any) -> None:
    """An empty chart says so instead of drawing plotly's default -1..6 axes."""
    fig.update_layout(xaxis={"visible": False}, yaxis={"visible": False}, showlegend=False,
                      annotations=[{"text": "no data yet", "showarrow": False,
                                    "xref": "paper", "yref": "paper", "x": 0.5, "y": 0.5,
                                    "font": {"size": 16, "color": "#888"}}])


def _pad_time(fig: Any) -> None:
    """Give a time axis whose runs all fall within a minute a two-hour range around them."""
    stamps = [x for trace in fig.data if trace.type == "scatter" for x in (trace.x or ())]
    try:
        times = [datetime.fromisoformat(str(x)) for x in stamps]
    except ValueError:
        return
    if times and max(times) - min(times) < timedelta(minutes=1):
        fig.update_layout(xaxis_range=[(min(times) - PAD).isoformat(),
                                       (max(times) + PAD).isoformat()])


def _layout(fig: Any, y_title: str, **extra: Any) -> Any:
    fig.update_layout(template="plotly_white", height=320, margin={"l": 60, "r": 20, "t": 10,
                      "b": 40}, legend={"orientation": "h", "y": -0.2}, yaxis_title=y_title,
                      hovermode="closest", **extra)
    return fig


def _label(row: Row) -> str:
    name = str(row.get("input") or "").rsplit("/", 1)[-1]
    return f"#{row['id']} {row.get('command')} {name}".strip()


def _scatter(rows: list[Row], value: Callable[[Row], Any], name: str, **style: Any) -> Any:
    import plotly.graph_objects as go

    kept = [(r, value(r)) for r in rows]
    kept = [(r, v) for r, v in kept if v is not None]
    style.setdefault("mode", "lines+markers")
    return go.Scatter(x=[r["started_at"] for r, _ in kept], y=[v for _, v in kept], name=name,
                      customdata=[r["id"] for r, _ in kept],
                      text=[_label(r) for r, _ in kept], hovertemplate="%{text}<br>%{y}"
                      "<extra>%{fullData.name}</extra>", **style)


def _commands(rows: list[Row]) -> list[str]:
    return sorted({str(r.get("command")) for r in rows})


def _per_command(rows: list[Row], column: str, y_title: str, **layout: Any) -> Any:
    import plotly.graph_objects as go

    fig = go.Figure()
    for command in _commands(rows):
        mine = [r for r in rows if r.get("command") == command and r.get("status") in FINISHED]
        fig.add_trace(_scatter(mine, lambda r: r.get(column), command))
    return _layout(fig, y_title, **layout)


def _cache(rows: list[Row]) -> Any:
    import plotly.graph_objects as go

    fig = go.Figure()
    cached = [r for r in rows if r.get("cache_hit_rate") is not None]
    for column, name in (("cache_hit_rate", "all levels"), ("cache_l1_hit_rate", "memory (L1)"),
                         ("cache_l2_hit_rate", "disk/Redis (L2)"),
                         ("cache_semantic_hit_rate", "semantic")):
        fig.add_trace(_scatter(cached, lambda r, c=column: r.get(c), name))
    return _layout(fig, "hit rate", yaxis_tickformat=".0%", yaxis_range=[-0.05, 1.05])


def _failures(rows: list[Row]) -> Any:
    import plotly.graph_objects as go

    fig = go.Figure()
    for command in _commands(rows):
        mine = [r for r in rows if r.get("command") == command and r.get("status") in FINISHED]
        fig.add_trace(_scatter(mine, lambda r: r.get("failure_rate"), command))
    crashed = [r for r in rows if r.get("status") == "failed"]
    fig.add_trace(_scatter(crashed, lambda r: 1.0, "crashed run", mode="markers",
                           marker={"symbol": "x", "size": 12, "color": "#d62728"}))
    return _layout(fig, "share of rows", yaxis_tickformat=".0%", yaxis_range=[-0.05, 1.05])


def _score(name: str) -> Callable[[Row], Any]:
    return lambda r: (r.get("scores") or {}).get(name)


def _learn(name: str) -> Callable[[Row], Any]:
    return lambda r: (r.get("learn_metrics") or {}).get(name)


def _series(rows: list[Row], values: dict[str, Callable[[Row], Any]], y_title: str) -> Any:
    import plotly.graph_objects as go

    fig = go.Figure()
    for name, value in values.items():
        fig.add_trace(_scatter(rows, value, name))
    return _layout(fig, y_title)


def _mix(rows: list[Row], column: str) -> Any:
    import plotly.graph_objects as go

    mixed = [r for r in rows if r.get(column)]
    names = sorted({k for r in mixed for k in r[column]})
    fig = go.Figure()
    for name in names:
        kept = [r for r in mixed if r[column].get(name)]
        # Short "#id" categories keep the axis readable; the hover says which run it was.
        fig.add_trace(go.Bar(x=[f"#{r['id']}" for r in kept], y=[r[column][name] for r in kept],
                             name=name, customdata=[r["id"] for r in kept],
                             text=[_label(r) for r in kept], textposition="none",
                             hovertemplate="%{text}<br>%{y} posts<extra>%{fullData.name}</extra>"))
    return _layout(fig, "posts", barmode="stack",
                   xaxis={"type": "category", "categoryorder": "array",
                          "categoryarray": [f"#{r['id']}" for r in mixed]})


def _alerts(rows: list[Row]) -> Any:
    import plotly.graph_objects as go

    points = [(r, a) for r in rows for a in (r.get("alerts") or [])]
    fig = go.Figure(go.Scatter(
        x=[r["started_at"] for r, _ in points], y=[a["kind"] for _, a in points],
        mode="markers", name="alert", marker={"size": 12, "color": "#d62728",
                                              "symbol": "triangle-up"},
        customdata=[r["id"] for r, _ in points],
        text=[f"{_label(r)}<br>{a['message']}" for r, a in points],
        hovertemplate="%{text}<extra></extra>"))
    return _layout(fig, "", yaxis_type="category")
