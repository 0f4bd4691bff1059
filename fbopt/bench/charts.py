"""Inline SVG charts for the benchmark page: a bar chart of throughput and line charts of scaling.

Not a plotting library: two chart shapes, log axes, no JavaScript, drawn as plain SVG text so
the page is one static file.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

PALETTE = ("#4472c4", "#ed7d31", "#70ad47", "#7f5fa8", "#c0504d", "#2a9d8f", "#b8860b",
           "#5b9bd5")
FONT = 'font-family="system-ui, sans-serif" font-size="12"'


def _fmt(value: float) -> str:
    if value >= 1e6:
        return f"{value / 1e6:.3g}M"
    if value >= 1e3:
        return f"{value / 1e3:.3g}k"
    return f"{value:.3g}"


def _log_ticks(low: float, high: float) -> list[float]:
    first, last = math.floor(math.log10(low)), math.ceil(math.log10(high))
    return [10.0 ** e for e in range(first, last + 1)]


def _nice_step(raw: float) -> float:
    """The round step (1, 2 or 5 times a power of ten) at or above `raw`."""
    power = 10.0 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


class Axis:
    """Maps data values to pixels, on a log or linear scale."""

    def __init__(self, low: float, high: float, start: float, end: float, log: bool) -> None:
        self.log = log and low > 0
        if self.log:
            ticks = _log_ticks(low, high)
            self.low, self.high = ticks[0], ticks[-1]
        else:
            self.step = _nice_step((high or 1.0) / 4)
            self.low, self.high = 0.0, self.step * math.ceil((high or 1.0) * 1.05 / self.step)
        self.start, self.end = start, end

    def __call__(self, value: float) -> float:
        if self.log:
            value = max(value, self.low)
            frac = (math.log10(value) - math.log10(self.low)) / (
                math.log10(self.high) - math.log10(self.low) or 1.0)
        else:
            frac = (value - self.low) / ((self.high - self.low) or 1.0)
        return self.start + frac * (self.end - self.start)

    def ticks(self) -> list[float]:
        if self.log:
            return _log_ticks(self.low, self.high)
        return [self.step * i for i in range(round(self.high / self.step) + 1)]


def bar_chart(items: Sequence[tuple[str, float, float, float]], title: str, unit: str) -> str:
    """Horizontal bars (label, value, low, high) on a log axis; whiskers show low to high."""
    items = [i for i in items if i[1] > 0]
    if not items:
        return ""
    label_w, width, row_h, top = 170, 720, 26, 46
    height = top + row_h * len(items) + 26
    lows = [min(i[1], i[2]) for i in items]
    axis = Axis(min(lows), max(max(i[1], i[3]) for i in items), label_w, width - 60, True)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'role="img" aria-label="{escape(title)}" {FONT}>',
             f'<text x="10" y="16" font-weight="bold">{escape(title)}</text>'
             f'<text x="10" y="32" fill="#555">{escape(unit)}, log scale; whiskers: slowest '
             'to fastest run</text>']
    for tick in axis.ticks():
        x = axis(tick)
        parts.append(f'<line x1="{x:.1f}" y1="{top - 6}" x2="{x:.1f}" '
                     f'y2="{height - 30}" stroke="#ddd"/>'
                     f'<text x="{x:.1f}" y="{height - 16}" text-anchor="middle">'
                     f'{_fmt(tick)}</text>')
    for n, (label, value, low, high) in enumerate(items):
        y = top + n * row_h
        color = PALETTE[n % len(PALETTE)]
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 15}" text-anchor="end">{escape(label)}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{axis(value) - label_w:.1f}" height="16" '
            f'fill="{color}"><title>{escape(label)}: {value:,.1f} {escape(unit)}</title></rect>'
            f'<line x1="{axis(low):.1f}" y1="{y + 11}" x2="{axis(high):.1f}" y2="{y + 11}" '
            f'stroke="#222"/>'
            f'<text x="{axis(max(value, high)) + 6:.1f}" y="{y + 15}">{_fmt(value)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def line_chart(series: dict[str, list[tuple[float, float]]], title: str, x_label: str,
               y_label: str, log_y: bool = True) -> str:
    """One line per series over a log x axis (rows); the y axis is log or linear."""
    series = {k: sorted(v) for k, v in series.items() if v}
    points = [p for pts in series.values() for p in pts]
    if not points:
        return ""
    width, height, left, bottom, top, right = 460, 300, 64, 44, 30, 130
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    x_axis = Axis(min(xs), max(xs), left, width - right, True)
    y_axis = Axis(min(ys), max(ys), height - bottom, top, log_y)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'role="img" aria-label="{escape(title)}" {FONT}>',
             f'<text x="{left}" y="18" font-weight="bold">{escape(title)}</text>']
    parts += _grid(x_axis, y_axis, width - right, height - bottom, left, top)
    parts.append(f'<text x="{(left + width - right) / 2}" y="{height - 6}" '
                 f'text-anchor="middle">{escape(x_label)}</text>'
                 f'<text x="14" y="{(top + height - bottom) / 2}" text-anchor="middle" '
                 f'transform="rotate(-90 14 {(top + height - bottom) / 2})">'
                 f'{escape(y_label)}</text>')
    for n, (name, pts) in enumerate(series.items()):
        color = PALETTE[n % len(PALETTE)]
        path = " ".join(f"{x_axis(x):.1f},{y_axis(y):.1f}" for x, y in pts)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{color}" '
                     f'stroke-width="2"/>')
        parts += [f'<circle cx="{x_axis(x):.1f}" cy="{y_axis(y):.1f}" r="3" fill="{color}">'
                  f'<title>{escape(name)}: {x:,.0f} rows, {y:,.2f}</title></circle>'
                  for x, y in pts]
        parts.append(f'<text x="{width - right + 10}" y="{top + 14 + 16 * n}" '
                     f'fill="{color}">{escape(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _grid(x_axis: Axis, y_axis: Axis, x_end: float, y_end: float, left: float,
          top: float) -> list[str]:
    parts = []
    for tick in x_axis.ticks():
        x = x_axis(tick)
        parts.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{y_end}" stroke="#ddd"/>'
                     f'<text x="{x:.1f}" y="{y_end + 16}" text-anchor="middle">'
                     f'{_fmt(tick)}</text>')
    for tick in y_axis.ticks():
        y = y_axis(tick)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{x_end}" y2="{y:.1f}" stroke="#ddd"/>'
                     f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">'
                     f'{_fmt(tick)}</text>')
    return parts
