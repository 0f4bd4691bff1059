"""`learn`: train the engagement model on post history with outcomes, evaluate it on a
time-ordered validation split, save one model file and write the report and its PNG.

Not for prediction (fbopt.engagement.predict) nor for the network or features themselves.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from fbopt.analytics import record_run
from fbopt.config import Config, load_config
from fbopt.engagement import artifact, linear, metrics
from fbopt.engagement.features import FeatureConfig, Featurizer, Inputs, Raw
from fbopt.engagement.formats import (
    MEDIA_TYPES,
    ColumnMap,
    Posts,
    apply_overrides,
    detect_columns,
    posts_schema,
    to_posts,
    utc_offsets,
)
from fbopt.engagement.history import PageHistory
from fbopt.engagement.model import NetConfig
from fbopt.engagement.recommend import fit_best_hours
from fbopt.engagement.scoring import EngagementModel
from fbopt.engagement.text import Bag
from fbopt.engagement.train import (
    TrainSettings,
    calibrate,
    fit,
    resolve_device,
    z_of,
)
from fbopt.errors import InputError
from fbopt.io.report import RunReport
from fbopt.pipeline import open_input, run_paths

log = logging.getLogger(__name__)
MIN_POSTS = 20


@dataclass
class LearnResult:
    """What `learn` returns: where the model went, the report, and its validation metrics."""

    model_path: Path
    report: RunReport
    report_path: Path | None
    plot_path: Path | None
    metrics: dict[str, Any]
    exit_code: int = 0


@dataclass
class ColumnChoice:
    """The user's column overrides (None: detect)."""

    text: str | None = None
    time: str | None = None
    page: str | None = None
    target: str | None = None


def read_history(source: Any, choice: ColumnChoice, batch_size: int, report: RunReport
                 ) -> tuple[Posts, ColumnMap]:
    """All posts with an outcome, typed, in file order; only the needed columns are kept."""
    reader = open_input(source, batch_size)
    path = str(reader.path)
    report.input_path = path
    columns = apply_overrides(detect_columns(reader.columns), reader.columns, text=choice.text,
                              time=choice.time, page=choice.page, target=choice.target)
    if not columns.target:
        raise InputError("no outcome columns found (looked for likes or reactions, comments, "
                         "shares, react_*, num_reactions)", path=path,
                         hint="name the outcome with --target, e.g. --target likes+shares")
    schema = posts_schema(columns, "learn", need_target=True)
    mapping = schema.resolve(reader.columns, path)
    batches = []
    for first_row, batch in reader:
        typed = schema.typed(batch, mapping, path, first_row)
        found = to_posts(typed, batch.num_rows, path, first_row)
        if "time" in typed:
            found.utc_offset = utc_offsets(typed["time"])
        batches.append(found)
        report.rows_in += batch.num_rows
    if not batches:
        raise InputError("the file has a header but no data rows", path=path,
                         hint="add at least one row")
    return concat_posts(batches), columns


def concat_posts(parts: list[Posts]) -> Posts:
    def joined(name: str) -> np.ndarray | None:
        values = [getattr(p, name) for p in parts]
        return None if any(v is None for v in values) else np.concatenate(values)

    feedback = {k: sum((p.feedback.get(k, []) for p in parts), []) for k in parts[0].feedback}
    link_text = None if parts[0].link_text is None else pa.concat_arrays(
        [p.link_text.cast(pa.string()) for p in parts if p.link_text is not None])
    link = None if parts[0].link is None else pa.concat_arrays(
        [p.link.cast(pa.string()) for p in parts if p.link is not None])
    return Posts(pa.concat_arrays([p.text.cast(pa.string()) for p in parts]), joined("time"),
                 joined("page"), joined("media"), joined("age_hours"), joined("target"), feedback,
                 link_text, link, joined("utc_offset"))


def take(posts: Posts, rows: np.ndarray) -> Posts:
    pick = pa.array(rows, pa.int64())
    return Posts(posts.text.take(pick), posts.time[rows], posts.page[rows], posts.media[rows],
                 None if posts.age_hours is None else posts.age_hours[rows],
                 None if posts.target is None else posts.target[rows],
                 {k: [v[i] for i in rows] for k, v in posts.feedback.items()},
                 None if posts.link_text is None else posts.link_text.take(pick),
                 None if posts.link is None else posts.link.take(pick),
                 None if posts.utc_offset is None else posts.utc_offset[rows])


def order_key(time_values: np.ndarray) -> np.ndarray:
    """Time for ordering: an unknown time takes the last known time before it (file order)."""
    known = ~np.isnan(time_values)
    if not known.any():
        return np.arange(len(time_values), dtype=np.float64)
    last = np.maximum.accumulate(np.where(known, np.arange(len(time_values)), -1))
    filled = np.where(last >= 0, time_values[np.maximum(last, 0)], np.nanmin(time_values))
    return filled + np.arange(len(time_values)) * 1e-6


def split_by_time(page: np.ndarray, when: np.ndarray, fraction: float
                  ) -> tuple[np.ndarray, np.ndarray]:
    """(train rows, validation rows): the latest `fraction` of each page's posts validate;
    pages with fewer than 5 posts only train."""
    order, position, size = linear.page_time_order(page, when)
    cut = np.where(size >= 5, np.ceil(size * (1.0 - fraction)), size)
    is_val = np.zeros(len(order), dtype=bool)
    is_val[order] = position >= cut
    return np.flatnonzero(~is_val), np.flatnonzero(is_val)


def settings_from(cfg: Config, device: str) -> TrainSettings:
    on_gpu = device.startswith("cuda")
    train_batch = int(cfg.get("engagement.train_batch_size")) or (128 if on_gpu else 32)
    predict_batch = int(cfg.get("engagement.predict_batch_size")) or (32768 if on_gpu else 8192)
    return TrainSettings(epochs=int(cfg.get("engagement.epochs")),
                         patience=int(cfg.get("engagement.patience")),
                         learning_rate=float(cfg.get("engagement.learning_rate")),
                         weight_decay=float(cfg.get("engagement.weight_decay")),
                         batch_size=train_batch, predict_batch_size=predict_batch,
                         seed=int(cfg.get("engagement.seed")), device=device,
                         cpu_threads=int(cfg.get("engagement.cpu_threads")))


def feature_config(cfg: Config, posts: Posts) -> FeatureConfig:
    mature, shift = 168.0, 0.0
    ages = posts.age_hours[~np.isnan(posts.age_hours)] if posts.age_hours is not None \
        else np.zeros(0)
    if len(ages):
        # No post is measured before it is published: negative ages mean the measurement
        # times carry no timezone, and whole hours of shift put them back in order.
        shift = float(np.ceil(max(-ages.min(), 0.0)))
        # New posts are scored as if measured as late as most history was.
        mature = float(np.clip(np.quantile(ages + shift, 0.75), 24.0, 24.0 * 90))
    return FeatureConfig(hash_bits=int(cfg.get("engagement.hash_bits")),
                         linear_bits=max(int(cfg.get("engagement.linear_bits")),
                                         int(cfg.get("engagement.hash_bits"))),
                         word_bigrams=bool(cfg.get("engagement.word_bigrams")),
                         char_orders=tuple(int(o) for o in cfg.get("engagement.char_orders")),
                         max_chars=int(cfg.get("engagement.max_chars")),
                         prior_weight=float(cfg.get("engagement.prior_weight")),
                         trend_halflife=float(cfg.get("engagement.trend_halflife")),
                         mature_age_hours=mature, measured=len(ages) > 0,
                         age_shift_hours=shift,
                         level_window=int(cfg.get("engagement.level_window")))


def fit_history(posts: Posts, y: np.ndarray, when: np.ndarray, features: FeatureConfig
                ) -> PageHistory:
    hours = Featurizer(features).raw(posts, {}, _empty_page(len(posts))).hour
    return PageHistory.fit(posts.page, when, y, hours, prior_weight=features.prior_weight,
                           halflife=features.trend_halflife, window=features.level_window)


def _empty_page(n: int) -> dict[str, np.ndarray]:
    from fbopt.engagement.history import PAGE_FEATURES

    return {name: np.zeros(n) for name in PAGE_FEATURES}


def own_inputs(featurizer: Featurizer, history: PageHistory, posts: Posts, y: np.ndarray,
               when: np.ndarray, fit_scaling: bool, unknown_share: float, seed: int) -> Inputs:
    """Inputs for the rows the history was fitted on, with leave-one-out page features.

    A random `unknown_share` of rows each lose their page, another their time and another
    their media type, as new posts may: the network then learns what the prior for an unseen
    page, an unknown hour or an unknown format means instead of guessing it."""
    rng = np.random.default_rng(seed)
    no_page, no_time, no_media = (rng.random((3, len(posts))) < unknown_share)
    idx = history.lookup(posts.page)
    page_features = history.leave_one_out(idx, when, y)
    prior = history.features(np.full(int(no_page.sum()), -1))
    for name, values in page_features.items():
        values[no_page] = prior[name]
    posts = replace(posts, page=np.where(no_page, "", posts.page).astype(object))
    signals, bags = featurizer.text(posts)
    raw = featurizer.raw(posts, signals, page_features, history.usual_hour(idx))
    raw.weekday[no_time] = -1
    raw.media[no_media] = MEDIA_TYPES.index("unknown")
    if fit_scaling:
        featurizer.fit_scaling(featurizer.dense(raw))
    inputs = featurizer.inputs(bags, raw)
    # Every page's posts count alike in ranking terms: a deviation is weighed against its
    # page's usual spread, so loud pages do not drown the quiet ones.
    weight = 1.0 / np.maximum(page_features["page_spread"], 0.1) ** 2
    inputs.weight = (weight / weight.mean()).astype(np.float32)
    return inputs


def new_inputs(featurizer: Featurizer, history: PageHistory, posts: Posts) -> Inputs:
    idx = history.lookup(posts.page)
    signals, bags = featurizer.text(posts)
    raw = featurizer.raw(posts, signals, history.features(idx), history.usual_hour(idx))
    return featurizer.inputs(bags, raw)


def net_config(cfg: Config, features: FeatureConfig) -> NetConfig:
    slot = features.names.index("page_level")
    return NetConfig(buckets=1 << features.hash_bits, dense=len(features.names),
                     level_slot=slot, level_mean=features.mean[slot],
                     level_std=features.std[slot],
                     members=int(cfg.get("engagement.members")),
                     embedding_dim=int(cfg.get("engagement.embedding_dim")),
                     hidden=int(cfg.get("engagement.hidden")),
                     dropout=float(cfg.get("engagement.dropout")),
                     halflife_hours=float(cfg.get("engagement.halflife_hours")))


def fit_linear(cfg: Config, featurizer: Featurizer, history: PageHistory, posts: Posts,
               y: np.ndarray, when: np.ndarray) -> linear.LinearHead:
    """The linear head on the rows the history was fitted on: each post's difference from its
    page's level as of just before it (no post sees its own outcome), later posts weighed
    more."""
    idx = history.lookup(posts.page)
    signals, wide = featurizer.text_wide(posts)
    raw = featurizer.raw(posts, signals, history.leave_one_out(idx, when, y),
                         history.usual_hour(idx))
    x = linear_design(featurizer, posts, raw, wide)
    weight = linear.recency_weights(posts.page, when, float(cfg.get("engagement.recency")))
    return linear.fit(x, y - history.rolling_before(idx, when, y), weight,
                      1 << featurizer.config.linear_bits, float(cfg.get("engagement.linear_alpha")))


def linear_design(featurizer: Featurizer, posts: Posts, raw: Raw, wide: list[Bag]
                  ) -> linear.Design:
    _, keys = featurizer.keys(posts, raw)
    return linear.design(wide, keys, np.hstack([featurizer.scale(featurizer.dense(raw)),
                                                linear.age_columns(raw.age_hours)]))


def validate(cfg: Config, posts: Posts, y: np.ndarray, when: np.ndarray,
             settings: TrainSettings) -> tuple[dict[str, Any], dict[str, Any]]:
    """Train on the earlier posts, measure on the later ones. Returns (metrics, details)."""
    fraction = float(cfg.get("engagement.validation_fraction"))
    train_rows, val_rows = split_by_time(posts.page, when, fraction)
    if len(val_rows) < 5:
        raise InputError(f"only {len(posts)} posts: too few for a validation split",
                         hint=f"learn needs at least {MIN_POSTS} posts, 5+ per page")
    features = feature_config(cfg, posts)
    featurizer = Featurizer(features)
    train, val = take(posts, train_rows), take(posts, val_rows)
    history = fit_history(train, y[train_rows], when[train_rows], features)
    train_in = own_inputs(featurizer, history, train, y[train_rows], when[train_rows], True,
                          float(cfg.get("engagement.unknown_share")), settings.seed)
    head = fit_linear(cfg, featurizer, history, train, y[train_rows], when[train_rows])
    val_in = new_inputs(featurizer, history, val)
    result = fit(net_config(cfg, features), train_in, y[train_rows], val_in, y[val_rows],
                 settings)
    model = EngagementModel(result.net, features, history, float(cfg.get("engagement.interval")),
                            device=settings.device, batch_size=settings.predict_batch_size,
                            linear=head)
    y_val = y[val_rows]
    parts = model.parts(val)
    model.stack, chosen = linear.choose_stack(y_val, parts.level, parts.linear, parts.net,
                                              val.page)
    mean, spread = model.blend(parts)
    interval = model.interval
    # Each half of the validation posts gets the interval scale fitted on the other half:
    # the coverage reported and charted is the coverage on posts the scale never saw.
    half = np.arange(len(val_rows)) % 2 == 0
    scales = np.where(half, calibrate(y_val[~half], mean[~half], spread[~half], interval),
                      calibrate(y_val[half], mean[half], spread[half], interval))
    scale = calibrate(y_val, mean, spread, interval)
    z = z_of(interval)
    low, high = mean - z * spread * scales, mean + z * spread * scales
    found = metrics.summary(mean, y_val, val.page, low, high)
    details = {"train_rows": train_rows, "val_rows": val_rows, "best_epoch": result.best_epoch,
               "epochs_run": result.epochs_run, "val_losses": result.val_losses,
               "scale": scale, "mean": mean, "low": low, "high": high, "y_val": y_val,
               "net": result.net, "featurizer": featurizer, "history": history,
               "linear": head, "stack": model.stack, "chosen": chosen}
    return found, details


def final_model(cfg: Config, posts: Posts, y: np.ndarray, when: np.ndarray,
                settings: TrainSettings, details: dict[str, Any]) -> EngagementModel:
    """The model to save: refitted on every post for the validated number of epochs (so the
    latest posts count too), or the validated one with the full history when refit is off."""
    features = feature_config(cfg, posts)
    featurizer = Featurizer(features)
    history = fit_history(posts, y, when, features)
    if bool(cfg.get("engagement.refit")):
        inputs = own_inputs(featurizer, history, posts, y, when, True,
                            float(cfg.get("engagement.unknown_share")), settings.seed)
        head = fit_linear(cfg, featurizer, history, posts, y, when)
        net = fit(net_config(cfg, features), inputs, y, None, None, settings,
                  fixed_epochs=max(details["best_epoch"], 1)).net
    else:
        net, features, head = details["net"], details["featurizer"].config, details["linear"]
    model = EngagementModel(net, features, history, float(cfg.get("engagement.interval")),
                            details["scale"], device=settings.device,
                            batch_size=settings.predict_batch_size, linear=head,
                            stack=details["stack"])
    model.best_hour, model.global_best_hour = fit_best_hours(model, posts, when)
    model.utc_offset = page_offsets(model, posts)
    return model


def page_offsets(model: EngagementModel, posts: Posts) -> np.ndarray:
    """Each page's time zone (minutes east of UTC) as its history wrote it most often; NaN
    where its times name no zone."""
    out = np.full(len(model.history.keys), np.nan)
    if posts.utc_offset is None:
        return out
    idx = model.history.lookup(posts.page)
    ok = (idx >= 0) & ~np.isnan(posts.utc_offset)
    if ok.any():
        pairs, counts = np.unique(np.stack([idx[ok], posts.utc_offset[ok]], axis=1), axis=0,
                                  return_counts=True)
        pairs = pairs[np.lexsort((-counts, pairs[:, 0]))]
        first = np.r_[True, pairs[1:, 0] != pairs[:-1, 0]]
        out[pairs[first, 0].astype(np.int64)] = pairs[first, 1]
    return out


def learn(posts: Any, *, model_path: str | Path | None = None, report: str | Path | None = None,
          text_column: str | None = None, time_column: str | None = None,
          page_column: str | None = None, target: str | None = None, device: str | None = None,
          config: Config | str | Path | None = None, batch_size: int | None = None,
          progress: bool = False) -> LearnResult:
    """Train on `posts` (a CSV/Parquet/JSONL path or a DataFrame of post history with outcomes)
    and save the model to `model_path` (default FBOPT_HOME/models/engagement.pt).

    Train batch size: `batch_size`, else engagement.train_batch_size (0: 128 GPU, 32 CPU).
    """
    cfg = config if isinstance(config, Config) else load_config(config)
    run = RunReport("learn")
    _, rep_path = run_paths(posts, None, report, "learn")
    target_device = str(resolve_device(device or str(cfg.get("engagement.device"))))
    settings = settings_from(cfg, target_device)
    if batch_size:
        settings = replace(settings, batch_size=batch_size)
    with run.stage("read"):
        history, columns = read_history(posts, ColumnChoice(text_column, time_column,
                                                            page_column, target),
                                        int(cfg.get("run.batch_size")), run)
    return _train_and_save(cfg, history, columns, settings, run, rep_path, model_path)


def _train_and_save(cfg: Config, posts: Posts, columns: ColumnMap, settings: TrainSettings,
                    run: RunReport, rep_path: Path | None, model_path: str | Path | None
                    ) -> LearnResult:
    from fbopt.engagement.learn_report import describe_run, record_feedback

    if len(posts) < MIN_POSTS:
        raise InputError(f"only {len(posts)} posts with outcomes", path=run.input_path,
                         hint=f"learn needs at least {MIN_POSTS}")
    assert posts.target is not None
    y = np.log1p(posts.target)
    when = order_key(posts.time)
    start = time.perf_counter()
    with run.stage("train"):
        found, details = validate(cfg, posts, y, when, settings)
        model = final_model(cfg, posts, y, when, settings, details)
    out = artifact.resolve_model_path(model_path, str(cfg.get("engagement.model_path")))
    model.meta = describe_run(posts, columns, when, details, found, settings,
                              time.perf_counter() - start)
    with run.stage("save"):
        artifact.save(model, out)
    run.rows_out = len(posts)
    run.output_path = str(out)
    run.metrics.update(model.meta["report"])
    run.metrics["feedback_recorded"] = record_feedback(posts, model, y)
    run.note(f"validation ({found['posts']} latest posts): Spearman {found['spearman']:.3f} "
             f"overall, {found['spearman_within_page']:.3f} within page; MAE(log) "
             f"{found['mae_log']:.3f}; {model.interval:.0%} interval covers "
             f"{found['interval_coverage']:.0%}")
    plot_path = None
    if rep_path is not None:
        stem = rep_path.name.removesuffix(".json").removesuffix(".report")
        plot_path = rep_path.with_name(stem + ".png")
        metrics.plot(plot_path, details["mean"], details["y_val"], details["low"],
                     details["high"], model.interval)
        run.metrics["plot"] = str(plot_path)
    run.finish()
    record_run(run, config=cfg)  # the run history and alerts (fbopt.analytics)
    if rep_path is not None:
        run.write(rep_path)
    return LearnResult(out, run, rep_path, plot_path, found)
