"""Small statistics for the benchmarks: medians and a least-squares line with its fit.

Capture cost is called linear in the number of resources when a straight line fits the
measured sizes (r² ≥ ``MIN_R2``) and the cost per extra resource does not grow from one
size step to the next by more than ``MAX_SEGMENT_RATIO`` (a quadratic cost would grow
by roughly the ratio of the sizes).
"""

from __future__ import annotations

import itertools
import statistics
from dataclasses import dataclass

MIN_R2 = 0.98
MAX_SEGMENT_RATIO = 1.5


def median(values: list[float]) -> float:
    return float(statistics.median(values))


@dataclass(frozen=True)
class LinearFit:
    """``y = slope * x + intercept`` over the points, with r² and per-step slopes."""

    slope: float
    intercept: float
    r2: float
    segment_slopes: list[float]

    @property
    def linear(self) -> bool | None:
        """True/False when judged; None with fewer than three sizes (no step to compare)."""
        if len(self.segment_slopes) < 2:
            return None
        low, high = min(self.segment_slopes), max(self.segment_slopes)
        if low <= 0:
            return False
        return self.r2 >= MIN_R2 and high / low <= MAX_SEGMENT_RATIO


def linear_fit(xs: list[float], ys: list[float]) -> LinearFit:
    """Least squares over at least two distinct ``xs``."""
    if len(xs) != len(ys) or len(set(xs)) < 2:
        raise ValueError("a linear fit needs at least two distinct sizes")
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    sxx = sum((x - mean_x) ** 2 for x in xs)
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    slope = sxy / sxx
    intercept = mean_y - slope * mean_x
    ss_tot = sum((y - mean_y) ** 2 for y in ys)
    ss_res = sum((y - (slope * x + intercept)) ** 2 for x, y in zip(xs, ys, strict=True))
    r2 = 1.0 - ss_res / ss_tot if ss_tot else 1.0
    points = sorted(zip(xs, ys, strict=True))
    segments = [(y2 - y1) / (x2 - x1) for (x1, y1), (x2, y2) in itertools.pairwise(points)]
    return LinearFit(slope, intercept, r2, segments)
