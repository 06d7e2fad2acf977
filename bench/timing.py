"""Timing, statistics and the metric record every probe reports.

A probe prints one JSON line `{"metrics": [...]}` as its last line of output; run.py collects
them. Times are wall-clock (`time.perf_counter`), in milliseconds unless a unit says otherwise.
"""
from __future__ import annotations

import gc
import json
import math
import os
import statistics
import sys
import time
from dataclasses import asdict, dataclass, field
from typing import Callable

RESULT_PREFIX = "BENCH-RESULT "


@dataclass
class Metric:
    """One line of the results table: value against target (`at_most`)."""

    name: str
    value: float
    unit: str
    target: float
    detail: str = ""
    floor: float | None = None
    samples: list[float] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return math.isfinite(self.value) and self.value <= self.target

    def as_json(self) -> dict:
        out = {"value": round(self.value, 4), "unit": self.unit, "target": self.target,
               "ok": self.ok}
        if self.floor is not None:
            out["floor"] = round(self.floor, 4)
        if self.detail:
            out["detail"] = self.detail
        if self.samples:
            out["samples"] = [round(s, 3) for s in self.samples]
        return out


def median(values: list[float]) -> float:
    return statistics.median(values) if values else math.nan


def p95(values: list[float]) -> float:
    """The 95th percentile, nearest-rank (no interpolation between two samples)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def time_ms(function: Callable[[], object]) -> float:
    start = time.perf_counter()
    function()
    return (time.perf_counter() - start) * 1000.0


def sample(function: Callable[[], object], *, runs: int = 7, warmup: int = 1) -> list[float]:
    """`runs` timings in ms of `function()` after `warmup` untimed calls.

    The garbage collector runs before each timing, so one run does not pay for another's
    garbage."""
    for _ in range(warmup):
        function()
    timings = []
    for _ in range(runs):
        gc.collect()
        timings.append(time_ms(function))
    return timings


def paired(function: Callable[[], object], floor: Callable[[], object], *, runs: int = 7,
           warmup: int = 1) -> tuple[list[float], list[float]]:
    """Timings of `function` and of its `floor`, interleaved run by run in this process, so
    a noisy moment on a shared machine weighs on both sides of the ratio."""
    for _ in range(warmup):
        function()
        floor()
    ours, theirs = [], []
    for _ in range(runs):
        gc.collect()
        ours.append(time_ms(function))
        gc.collect()
        theirs.append(time_ms(floor))
    return ours, theirs


def rss_mb() -> float:
    """Resident set size of this process now, in MB (Linux /proc; peak RSS elsewhere)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024.0 * 1024.0) if sys.platform == "darwin" else peak / 1024.0


def report(metrics: list[Metric], **extra) -> None:
    """Print the probe's result line (the last line run.py reads)."""
    payload = {"metrics": [asdict(m) for m in metrics], **extra}
    sys.stdout.write(RESULT_PREFIX + json.dumps(payload) + "\n")
    sys.stdout.flush()


def read_report(output: str) -> dict:
    for line in reversed(output.splitlines()):
        if line.startswith(RESULT_PREFIX):
            return json.loads(line[len(RESULT_PREFIX):])
    raise RuntimeError("the probe printed no result line")


def metric_from(data: dict) -> Metric:
    return Metric(**data)


def machine() -> dict:
    """What the numbers ran on."""
    import platform

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    memory_gb = None
    try:
        with open("/proc/meminfo", encoding="ascii") as info:
            memory_gb = round(int(info.readline().split()[1]) / 1024 / 1024, 1)
    except (OSError, ValueError, IndexError):
        pass
    import sqlite3

    out = {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": memory_gb,
           "os": f"{platform.system()} {platform.release()}",
           "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
           "load_average_at_start": _load()}
    for package in ("PySide6", "SQLAlchemy", "pyqtgraph", "reportlab", "numpy"):
        out[package] = _version(package)
    return out


def _load() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def _version(package: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    for name in (package, package + "-Essentials"):
        try:
            return version(name)
        except PackageNotFoundError:
            continue
    return None
