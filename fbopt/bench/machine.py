"""Facts about the machine a benchmark ran on: CPU, memory, GPU, library versions, git commit.

Not for choosing devices (the stages do that); every fact is best effort and never raises.
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

LIBRARIES = ("pyarrow", "pandas", "numpy", "torch", "openai", "anthropic", "cohere",
             "google-genai", "harper-py", "language-tool-python", "textstat", "vaderSentiment",
             "diskcache", "click")


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def memory_gib() -> float | None:
    try:
        pages, size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
        return round(pages * size / 2**30, 1)
    except (ValueError, OSError, AttributeError):
        return None


def usable_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS and Windows have no affinity call
        return os.cpu_count() or 1


def gpu_driver() -> bool:
    """Whether any GPU driver torch could use is present (NVIDIA, or ROCm's /dev/kfd)."""
    return (Path("/proc/driver/nvidia").exists() or Path("/dev/kfd").exists()
            or shutil.which("nvidia-smi") is not None)


def gpu_facts() -> dict[str, Any]:
    """torch's view of CUDA; `available` is False when torch is missing or has no GPU. With no
    GPU driver at all torch is not imported: it could only say no, after seconds of import."""
    if not gpu_driver():
        return {"available": False, "reason": "no GPU driver, so torch.cuda cannot be available"}
    try:
        import torch
    except ImportError:
        return {"available": False, "reason": "torch is not installed"}
    if not torch.cuda.is_available():
        return {"available": False, "reason": "torch.cuda.is_available() is False",
                "torch_cuda_build": torch.version.cuda}
    props = torch.cuda.get_device_properties(0)
    return {"available": True, "name": props.name, "count": torch.cuda.device_count(),
            "memory_gib": round(props.total_memory / 2**30, 1),
            "torch_cuda_build": torch.version.cuda}


def library_versions() -> dict[str, str | None]:
    versions: dict[str, str | None] = {}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def git_commit(folder: Path | None = None) -> dict[str, Any] | None:
    """HEAD of the checkout fbopt runs from, and whether it has uncommitted changes."""
    root = folder or Path(__file__).resolve().parents[2]
    if not (root / ".git").exists():
        return None

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True,
                              timeout=10, check=True).stdout.strip()

    try:
        return {"commit": git("rev-parse", "HEAD"),
                "dirty": bool(git("status", "--porcelain", "--untracked-files=no"))}
    except (OSError, subprocess.SubprocessError):
        return None


def machine_facts() -> dict[str, Any]:
    from fbopt import __version__

    return {
        "cpu_model": cpu_model(),
        "cpu_count": os.cpu_count(),
        "cpus_usable": usable_cpus(),
        "memory_gib": memory_gib(),
        "gpu": gpu_facts(),
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "fbopt_version": __version__,
        "git": git_commit(),
        "libraries": library_versions(),
    }
