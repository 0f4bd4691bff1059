"""The page's inline SVG charts are well-formed XML with one mark per data point."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from fbopt.bench.charts import bar_chart, line_chart

SVG = "{http://www.w3.org/2000/svg}"


def test_bar_chart() -> None:
    svg = ET.fromstring(bar_chart([("generate <offline>", 12000.0, 11000.0, 12500.0),
                                   ("score", 900.0, 850.0, 950.0)], "Throughput", "rows/s"))
    rects = svg.findall(f"{SVG}rect")
    assert len(rects) == 2
    widths = [float(r.get("width", 0)) for r in rects]
    assert widths[0] > widths[1] > 0  # faster stage, longer bar
    labels = [t.text for t in svg.findall(f"{SVG}text")]
    assert "generate <offline>" in labels and "score" in labels


def test_line_chart() -> None:
    svg = ET.fromstring(line_chart({"a": [(1000, 0.1), (10000, 1.0), (100000, 10.0)],
                                    "b": [(1000, 0.2)]}, "Scaling", "rows", "seconds"))
    assert len(svg.findall(f"{SVG}circle")) == 4
    assert len(svg.findall(f"{SVG}polyline")) == 2


def test_empty_charts_are_empty() -> None:
    assert bar_chart([], "t", "u") == "" and line_chart({"a": []}, "t", "x", "y") == ""
