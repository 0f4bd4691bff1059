"""Alerts: the [alerts] thresholds checked against a finished run and the runs before it, and the
Slack-compatible webhook that hears of them.

Not for recording (fbopt.analytics.record). An alert holds numbers, names of commands, models
and input files: never an API key or a post's text.
"""

from __future__ import annotations

import json
import statistics
import urllib.request
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Alert:
    """One threshold crossed: `kind` (failure_rate, cost_per_post, cache_hit_rate,
    overall_quality, predicted_engagement, throughput), the value and the limit it crossed."""

    kind: str
    value: float
    limit: float
    message: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Thresholds:
    """The [alerts] settings; a negative limit (or 0 sigmas, 0 throughput share) is off."""

    max_failure_rate: float = 0.05
    max_cost_per_post: float = -1.0
    min_cache_hit_rate: float = -1.0
    min_overall_quality: float = -1.0
    engagement_sigmas: float = 3.0
    min_throughput_share: float = 0.5
    trailing_runs: int = 10
    min_trailing_runs: int = 3
    webhook_url: str = ""

    @classmethod
    def from_config(cls, config: Any) -> Thresholds:
        section = config.section("alerts")
        known = {k: v for k, v in section.items() if k in cls.__dataclass_fields__}
        return cls(**known)


def check(row: dict[str, Any], earlier: list[dict[str, Any]], limits: Thresholds) -> list[Alert]:
    """The alerts a finished run fires. `earlier`: the same command's finished runs before it,
    newest first (trailing windows use the first `trailing_runs`)."""
    found = [_failure_rate(row, limits), _cost(row, limits), _cache(row, limits),
             _quality(row, limits)]
    trail = earlier[: limits.trailing_runs]
    if len(trail) >= limits.min_trailing_runs:
        found += [_engagement(row, trail, limits), _throughput(row, trail, limits)]
    return [a for a in found if a is not None]


def _failure_rate(row: dict[str, Any], limits: Thresholds) -> Alert | None:
    value = row.get("failure_rate")
    if limits.max_failure_rate < 0 or value is None or value <= limits.max_failure_rate:
        return None
    return Alert("failure_rate", value, limits.max_failure_rate,
                 f"{value:.1%} of rows failed (limit {limits.max_failure_rate:.1%})")


def _cost(row: dict[str, Any], limits: Thresholds) -> Alert | None:
    value = row.get("cost_per_post")
    if limits.max_cost_per_post < 0 or value is None or value <= limits.max_cost_per_post:
        return None
    return Alert("cost_per_post", value, limits.max_cost_per_post,
                 f"cost per post ${value:.5f} over ${limits.max_cost_per_post:.5f}")


def _cache(row: dict[str, Any], limits: Thresholds) -> Alert | None:
    value = row.get("cache_hit_rate")
    if limits.min_cache_hit_rate < 0 or value is None or value >= limits.min_cache_hit_rate:
        return None
    return Alert("cache_hit_rate", value, limits.min_cache_hit_rate,
                 f"cache hit rate {value:.1%} under {limits.min_cache_hit_rate:.1%}")


def _quality(row: dict[str, Any], limits: Thresholds) -> Alert | None:
    value = row.get("mean_overall_quality")
    if limits.min_overall_quality < 0 or value is None or value >= limits.min_overall_quality:
        return None
    return Alert("overall_quality", value, limits.min_overall_quality,
                 f"mean overall_quality {value:.3f} under {limits.min_overall_quality:.3f}")


def _engagement(row: dict[str, Any], trail: list[dict[str, Any]],
                limits: Thresholds) -> Alert | None:
    value = row.get("mean_predicted_engagement")
    past = [r["mean_predicted_engagement"] for r in trail
            if r.get("mean_predicted_engagement") is not None]
    if limits.engagement_sigmas <= 0 or value is None or len(past) < limits.min_trailing_runs:
        return None
    mean, sd = statistics.fmean(past), statistics.pstdev(past)
    floor = mean - limits.engagement_sigmas * sd
    # A flat history (sd 0) would alert on any change at all: allow 1% of the mean.
    if value >= min(floor, mean * 0.99):
        return None
    sigmas = (mean - value) / sd if sd else float("inf")
    return Alert("predicted_engagement", value, round(floor, 4),
                 f"mean predicted engagement {value:.1f} is {sigmas:.1f} sigmas under the mean "
                 f"{mean:.1f} of the last {len(past)} runs")


def _throughput(row: dict[str, Any], trail: list[dict[str, Any]],
                limits: Thresholds) -> Alert | None:
    value = row.get("rows_per_second")
    past = [r["rows_per_second"] for r in trail if r.get("rows_per_second")]
    if limits.min_throughput_share <= 0 or not value or len(past) < limits.min_trailing_runs:
        return None
    median = statistics.median(past)
    if value >= limits.min_throughput_share * median:
        return None
    return Alert("throughput", value, round(limits.min_throughput_share * median, 2),
                 f"{value:,.0f} rows/s is {value / median:.0%} of the median {median:,.0f} of "
                 f"the last {len(past)} runs")


def line(alert: Alert, row: dict[str, Any]) -> str:
    """The one stderr line of an alert."""
    return f"alert: fbopt {row.get('command')} {alert.kind}: {alert.message}"


def webhook_payload(alerts: list[Alert], row: dict[str, Any]) -> dict[str, Any]:
    """A Slack incoming-webhook body (`text`, plus `blocks`), with the numbers in `fbopt` for
    receivers that are not Slack."""
    head = (f"fbopt {row.get('command')}: {len(alerts)} alert{'s' if len(alerts) != 1 else ''} "
            f"(run {row.get('run_uid')}, input {row.get('input')})")
    lines = [f"• *{a.kind}*: {a.message}" for a in alerts]
    return {
        "text": head + "\n" + "\n".join(lines),
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": head}},
                   {"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines)}}],
        "fbopt": {"command": row.get("command"), "run_uid": row.get("run_uid"),
                  "input": row.get("input"), "started_at": row.get("started_at"),
                  "alerts": [a.as_dict() for a in alerts]},
    }


def post_webhook(url: str, alerts: list[Alert], row: dict[str, Any],
                 timeout: float = 10.0) -> None:
    """POST the alerts as JSON; raises OSError when the receiver cannot be reached or refuses."""
    body = json.dumps(webhook_payload(alerts, row)).encode("utf-8")
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - user's URL
        response.read()
