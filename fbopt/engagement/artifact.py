"""The model file: one torch file with the weights, the feature configuration, the page history,
the calibration and metadata (fbopt version, columns, training span, metrics).

Not for training or scoring. Loading checks the format version and says what to do when the
file was written by an fbopt that builds features differently.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import torch

from fbopt.engagement.features import FeatureConfig
from fbopt.engagement.history import PageHistory
from fbopt.engagement.linear import LinearHead
from fbopt.engagement.model import EnsembleNet, NetConfig
from fbopt.engagement.scoring import EngagementModel
from fbopt.engagement.text import HASH_VERSION
from fbopt.errors import ModelError
from fbopt.io.atomic import atomic_path

# Bump when the features or the network change in a way an old file cannot be read with.
ARTIFACT_FORMAT = 2
DEFAULT_NAME = "engagement.pt"


def default_model_path() -> Path:
    from fbopt.home import home_path

    return home_path("models", DEFAULT_NAME)


def resolve_model_path(path: str | Path | None, configured: str = "") -> Path:
    if path:
        return Path(path)
    if configured:
        return Path(configured).expanduser()
    return default_model_path()


def save(model: EngagementModel, path: Path) -> Path:
    """Write atomically: a crash never leaves half a model where a good one was."""
    from fbopt import __version__

    state = {k: v.detach().cpu() for k, v in model.net.state_dict().items()}
    payload = {
        "artifact_format": ARTIFACT_FORMAT,
        "fbopt_version": __version__,
        "net": model.net.config.to_dict(),
        "state_dict": state,
        "features": model.features.to_dict(),
        "history": model.history.to_dict(),
        "calibration": {"interval": model.interval, "scale": model.scale},
        "best_hour": {"pages": [int(h) for h in model.best_hour],
                      "global": int(model.global_best_hour),
                      "utc_offset_minutes": [None if np.isnan(v) else float(v)
                                             for v in model.utc_offset]},
        "meta": model.meta,
        "linear": None if model.linear is None else {
            "sparse": torch.from_numpy(model.linear.sparse.astype(np.float32)),
            "dense": torch.from_numpy(model.linear.dense.astype(np.float32)),
            "bias": float(model.linear.bias)},
        "stack": [float(v) for v in model.stack],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        torch.save(payload, tmp)
    return path


def load(path: Path, device: str = "cpu", batch_size: int = 8192) -> EngagementModel:
    payload = _read(path)
    _check_version(payload, path)
    try:
        net = EnsembleNet(NetConfig(**payload["net"]))
        net.load_state_dict(payload["state_dict"])
        features = FeatureConfig.from_dict(payload["features"])
        history = PageHistory.from_dict(payload["history"])
        calibration, hours = payload["calibration"], payload["best_hour"]
        head = payload["linear"]
        linear = None if head is None else LinearHead(
            head["sparse"].numpy().astype(np.float64), head["dense"].numpy().astype(np.float64),
            float(head["bias"]))
        a, b, c = (float(v) for v in payload["stack"])
        offsets = np.array([np.nan if v is None else float(v)
                            for v in hours["utc_offset_minutes"]], dtype=np.float64)
    except (KeyError, TypeError, RuntimeError, ValueError, AttributeError) as exc:
        raise ModelError(f"{path} is damaged or incomplete ({exc})",
                         hint="train it again with `fbopt learn`") from exc
    net.to(device).eval()
    return EngagementModel(net, features, history, float(calibration["interval"]),
                           float(calibration["scale"]),
                           best_hour=np.asarray(hours["pages"], np.int64),
                           global_best_hour=int(hours["global"]), utc_offset=offsets,
                           meta=dict(payload.get("meta", {})), device=device,
                           batch_size=batch_size, linear=linear, stack=(a, b, c))


def _read(path: Path) -> dict[str, Any]:
    if not path.exists():
        raise ModelError(f"no engagement model at {path}",
                         hint="train one with `fbopt learn POSTS` or pass --model-path")
    what = _not_a_model(path)
    if what:
        raise ModelError(f"{path} is not an fbopt engagement model: {what}",
                         hint="pass the .pt file that `fbopt learn` wrote (--model-path)")
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises many kinds for a file that is not its own
        raise ModelError(f"{path} is not an fbopt engagement model: it is a zip archive but "
                         "not a model file, or a model file cut short",
                         hint="train it again with `fbopt learn` (or pass the file it wrote)"
                         ) from exc
    if not isinstance(payload, dict) or "artifact_format" not in payload:
        raise ModelError(f"{path} is not an fbopt engagement model: it is a torch file "
                         "written by something else",
                         hint="pass the file that `fbopt learn` wrote")
    return payload


def _not_a_model(path: Path) -> str:
    """What the file is instead, in a user's words; empty when it may be a model (torch
    writes zip archives, which start with PK)."""
    if path.is_dir():
        return "it is a folder"
    with open(path, "rb") as fh:
        head = fh.read(512)
    if not head:
        return "the file is empty"
    if head.startswith(b"PK"):
        return ""
    if head.startswith(b"PAR1"):
        return "it is a Parquet file (posts, not a model)"
    if b"\x00" in head:
        return "it is a binary file of another kind"
    text = head.decode("utf-8", errors="replace")
    first = text.splitlines()[0][:60] if text.strip() else ""
    return f"it is a text file (it starts with {first!r}), not a model"


def _check_version(payload: dict[str, Any], path: Path) -> None:
    from fbopt import __version__

    found = payload.get("artifact_format")
    hashing = payload.get("features", {}).get("hash_version")
    if found != ARTIFACT_FORMAT or hashing != HASH_VERSION:
        raise ModelError(
            f"{path} was written by fbopt {payload.get('fbopt_version', '?')} (model format "
            f"{found}, hashing {hashing}); fbopt {__version__} reads model format "
            f"{ARTIFACT_FORMAT}, hashing {HASH_VERSION}",
            hint="train it again with `fbopt learn` on the same posts")
