"""The benchmark page's plotly charts: one bar or marker per data point, log axes, nothing drawn
for no data."""

from __future__ import annotations

from fbopt.bench.charts import bar_chart, embed, line_chart


def test_bar_chart() -> None:
    fig = bar_chart([("generate <offline>", 12000.0, 11000.0, 12500.0),
                     ("score", 900.0, 850.0, 950.0), ("none", 0.0, 0.0, 0.0)],
                    "Throughput", "rows/s")
    (bars,) = fig.data
    assert list(bars.y) == ["generate <offline>", "score"]  # no bar for a zero rate
    assert list(bars.x) == [12000.0, 900.0] and fig.layout.xaxis.type == "log"
    assert list(bars.error_x.array) == [500.0, 50.0]
    assert list(bars.error_x.arrayminus) == [1000.0, 50.0]


def test_line_chart() -> None:
    fig = line_chart({"a": [(10000, 1.0), (1000, 0.1), (100000, 10.0)], "b": [(1000, 0.2)]},
                     "Scaling", "rows", "seconds")
    assert [len(t.x) for t in fig.data] == [3, 1]
    assert list(fig.data[0].x) == [1000, 10000, 100000]  # sorted by rows
    assert fig.layout.yaxis.type == "log"
    assert line_chart({"a": [(1, 2.0)]}, "t", "x", "y", log_y=False).layout.yaxis.type == "linear"


def test_empty_charts_are_empty() -> None:
    assert bar_chart([], "t", "u") is None and line_chart({"a": []}, "t", "x", "y") is None
    assert embed(None, "x") == ""


def test_embed_draws_into_its_div_without_loading_plotly() -> None:
    html = embed(bar_chart([("a", 1.0, 1.0, 1.0)], "t", "u"), "chart-a")
    assert 'id="chart-a"' in html and "Plotly.newPlot" in html and "<script src" not in html
