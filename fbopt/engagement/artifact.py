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
from fbopt.engagement.model import EnsembleNet, NetConfig
from fbopt.engagement.scoring import EngagementModel
from fbopt.engagement.text import HASH_VERSION
from fbopt.errors import ModelError
from fbopt.io.atomic import atomic_path

# Bump when the features or the network change in a way an old file cannot be read with.
ARTIFACT_FORMAT = 1
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
                      "global": int(model.global_best_hour)},
        "meta": model.meta,
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
    except (KeyError, TypeError, RuntimeError, ValueError) as exc:
        raise ModelError(f"{path} is damaged or incomplete ({exc})",
                         hint="train it again with `fbopt learn`") from exc
    net.to(device).eval()
    return EngagementModel(net, features, history, float(calibration["interval"]),
                           float(calibration["scale"]), np.asarray(hours["pages"], np.int64),
                           int(hours["global"]), dict(payload.get("meta", {})), device,
                           batch_size)


def _read(path: Path) -> dict[str, Any]:
    if not path.exists():
        raise ModelError(f"no engagement model at {path}",
                         hint="train one with `fbopt learn POSTS` or pass --model-path")
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises many kinds for a file that is not its own
        raise ModelError(f"{path} is not an fbopt engagement model ({type(exc).__name__})",
                         hint="pass the file that `fbopt learn` wrote") from exc
    if not isinstance(payload, dict) or "artifact_format" not in payload:
        raise ModelError(f"{path} is not an fbopt engagement model",
                         hint="pass the file that `fbopt learn` wrote")
    return payload


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
