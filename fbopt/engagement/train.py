"""Training the ensemble: AdamW, bootstrap weights per member, early stopping on a time-ordered
validation split, and interval calibration on that split.

Not for reading posts or building features (fbopt.engagement.learn does that) nor for saving.
"""

from __future__ import annotations

import copy
import logging
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import Any

import numpy as np
import torch

from fbopt.engagement.features import Inputs
from fbopt.engagement.model import EnsembleNet, NetConfig, to_tensors
from fbopt.errors import ConfigError

log = logging.getLogger(__name__)
# The variance head learns from the mean's residuals; this weight keeps it from steering the
# shared layers away from the mean, which the rankings depend on.
_NLL_WEIGHT = 0.3


@dataclass
class TrainSettings:
    epochs: int = 30
    patience: int = 4
    learning_rate: float = 2e-3
    weight_decay: float = 1e-4
    batch_size: int = 32
    predict_batch_size: int = 8192
    seed: int = 13
    device: str = "cpu"
    cpu_threads: int = 1


@dataclass
class FitResult:
    net: EnsembleNet
    best_epoch: int
    epochs_run: int
    val_losses: list[float] = field(default_factory=list)


class LazyAdamW:
    """AdamW for the embedding table, updating only the rows a batch touched (their moments
    and their decoupled weight decay), as torch's SparseAdam does for Adam. A dense AdamW step
    over all 65k rows costs far more than the rest of a CPU training step."""

    def __init__(self, param: torch.nn.Parameter, lr: float, weight_decay: float,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8) -> None:
        self.param, self.lr, self.weight_decay = param, lr, weight_decay
        self.betas, self.eps, self.steps = betas, eps, 0
        self.m = torch.zeros_like(param)
        self.v = torch.zeros_like(param)

    def zero_grad(self) -> None:
        self.param.grad = None

    @torch.no_grad()
    def step(self) -> None:
        grad = self.param.grad
        if grad is None:
            return
        grad = grad.coalesce()
        rows, values = grad.indices()[0], grad.values()
        self.steps += 1
        b1, b2 = self.betas
        m = self.m[rows].mul_(b1).add_(values, alpha=1 - b1)
        v = self.v[rows].mul_(b2).addcmul_(values, values, value=1 - b2)
        self.m[rows], self.v[rows] = m, v
        denominator = (v / (1 - b2 ** self.steps)).sqrt_().add_(self.eps)
        weights = self.param[rows].mul_(1 - self.lr * self.weight_decay)
        weights.addcdiv_(m / (1 - b1 ** self.steps), denominator, value=-self.lr)
        self.param[rows] = weights


def resolve_device(name: str) -> torch.device:
    """`auto` is CUDA when present, else CPU; asking for CUDA without it is a ConfigError."""
    name = (name or "auto").strip().lower()
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise ConfigError(f"--device {name} asked for, but torch sees no CUDA device",
                          hint="use --device cpu or --device auto")
    try:
        return torch.device(name)
    except RuntimeError as exc:
        raise ConfigError(f"unknown device {name!r}", hint="use auto, cpu or cuda") from exc


def fit(net_config: NetConfig, train: Inputs, y_train: np.ndarray, val: Inputs | None,
        y_val: np.ndarray | None, settings: TrainSettings, *, fixed_epochs: int | None = None,
        on_epoch: Callable[[int, float], None] | None = None) -> FitResult:
    """Train from scratch. With `val`, stop when its loss has not improved for `patience`
    epochs and keep the best weights; with `fixed_epochs`, train exactly that long."""
    device = torch.device(settings.device)
    with cpu_threads(device, settings.cpu_threads):
        return _fit(net_config, train, y_train, val, y_val, settings, device, fixed_epochs,
                    on_epoch)


@contextmanager
def cpu_threads(device: torch.device, threads: int) -> Iterator[None]:
    """Torch's CPU threads for the block (0: torch's default). The default setting is one:
    the tensors here are small, and on a busy machine OpenMP threads spin-waiting on each
    other make a 32-post step a hundred times slower."""
    before = torch.get_num_threads()
    if device.type == "cpu" and threads > 0:
        torch.set_num_threads(threads)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _fit(net_config: NetConfig, train: Inputs, y_train: np.ndarray, val: Inputs | None,
         y_val: np.ndarray | None, settings: TrainSettings, device: torch.device,
         fixed_epochs: int | None, on_epoch: Callable[[int, float], None] | None) -> FitResult:
    torch.manual_seed(settings.seed)
    rng = np.random.default_rng(settings.seed)
    net = EnsembleNet(net_config).to(device)
    dense = [p for name, p in net.named_parameters() if not name.startswith("bag.")]
    optimizers = [torch.optim.AdamW(dense, lr=settings.learning_rate,
                                    weight_decay=settings.weight_decay),
                  LazyAdamW(net.bag.weight, settings.learning_rate, settings.weight_decay)]
    boot = rng.poisson(1.0, size=(len(y_train), net_config.members)).astype(np.float32)
    if train.weight is not None:
        boot = boot * train.weight[:, None]
    boot = torch.from_numpy(boot)
    target = torch.from_numpy(y_train.astype(np.float32))
    epochs = fixed_epochs or settings.epochs
    best = (math.inf, 0, copy.deepcopy(net.state_dict()))
    losses: list[float] = []
    for epoch in range(1, epochs + 1):
        _epoch(net, optimizers, train, target, boot, settings, rng, device)
        if val is None or y_val is None:
            continue
        loss = float(np.mean((ensemble_mean(net, val, settings) - y_val) ** 2))
        losses.append(loss)
        if on_epoch:
            on_epoch(epoch, loss)
        log.info("epoch %d: validation MSE %.4f", epoch, loss)
        if loss < best[0] - 1e-5:
            best = (loss, epoch, copy.deepcopy(net.state_dict()))
        elif epoch - best[1] >= settings.patience:
            break
    if val is not None and losses:
        net.load_state_dict(best[2])
        return FitResult(net, best[1], len(losses), losses)
    return FitResult(net, epochs, epochs, losses)


def _epoch(net: EnsembleNet, optimizers: list[Any], train: Inputs,
           target: torch.Tensor, boot: torch.Tensor, settings: TrainSettings,
           rng: np.random.Generator, device: torch.device) -> None:
    net.train()
    order = rng.permutation(len(target))
    for start in range(0, len(order), settings.batch_size):
        rows = np.sort(order[start: start + settings.batch_size])
        tensors = to_tensors(train, device, rows)
        mu, log_sigma = net(tensors)
        y = target[rows].to(device)[:, None]
        weight = boot[rows].to(device)
        residual = y - mu
        nll = log_sigma + 0.5 * (residual.detach() / log_sigma.exp()) ** 2
        loss = ((residual ** 2 + _NLL_WEIGHT * nll) * weight).sum() / weight.sum().clamp(min=1)
        for optimizer in optimizers:
            optimizer.zero_grad()
        loss.backward()
        for optimizer in optimizers:
            optimizer.step()


def predict_members(net: EnsembleNet, inputs: Inputs, settings: TrainSettings
                    ) -> tuple[np.ndarray, np.ndarray]:
    """(mu, sigma), each [posts, members], in log1p space."""
    device = torch.device(settings.device)
    net.eval()
    mus, sigmas = [], []
    with torch.inference_mode():
        for start in range(0, len(inputs), settings.predict_batch_size):
            rows = np.arange(start, min(start + settings.predict_batch_size, len(inputs)))
            mu, log_sigma = net(to_tensors(inputs, device, rows))
            mus.append(mu.float().cpu().numpy())
            sigmas.append(log_sigma.exp().float().cpu().numpy())
    return np.concatenate(mus), np.concatenate(sigmas)


def ensemble_mean(net: EnsembleNet, inputs: Inputs, settings: TrainSettings) -> np.ndarray:
    return predict_members(net, inputs, settings)[0].mean(axis=1)


def combine(mu: np.ndarray, sigma: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Ensemble mean and total spread: each member's own noise plus their disagreement."""
    mean = mu.mean(axis=1)
    spread = np.sqrt((sigma ** 2).mean(axis=1) + mu.var(axis=1))
    return mean, spread


def z_of(interval: float) -> float:
    """The normal quantile that bounds a central `interval` (1.28 for 0.8)."""
    return NormalDist().inv_cdf(0.5 + interval / 2.0)


def calibrate(y: np.ndarray, mean: np.ndarray, spread: np.ndarray, interval: float) -> float:
    """The factor on `spread` that makes the central `interval` cover that share of `y`."""
    if len(y) == 0:
        return 1.0
    z = np.abs(y - mean) / np.maximum(spread, 1e-6)
    nominal = z_of(interval)
    return float(max(np.quantile(z, interval) / nominal, 1e-3))
