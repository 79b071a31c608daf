"""Arc length along an ellipse, with SciPy's incomplete elliptic integral.

Headbands and laser-cut bands follow the ellipse x = A sin u, y = B cos u (u = 0 at the
front apex, on the centre line). Its speed is sqrt(A^2 cos^2 u + B^2 sin^2 u)
= A sqrt(1 - m sin^2 u) with m = 1 - B^2 / A^2, so the arc length from the apex is
A E(u | m), E being the incomplete elliptic integral of the second kind
(`scipy.special.ellipeinc`, valid for any m <= 1, so for A < B too).
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import ellipeinc


def speed(A: float, B: float, u):
    """|dP/du| for P(u) = (A sin u, B cos u)."""
    return np.sqrt((A * np.cos(u)) ** 2 + (B * np.sin(u)) ** 2)


def arc_length(A: float, B: float, u: float) -> float:
    """Signed arc length of x = A sin v, y = B cos v from v = 0 to v = u."""
    return float(A * ellipeinc(u, 1.0 - (B / A) ** 2))


def param_at_arc(A: float, B: float, s: float) -> float:
    """Inverse of `arc_length`: the parameter u whose arc length from the apex is s
    (Newton's method: the derivative of the arc length is the speed)."""
    u = s / ((A + B) / 2)
    for _ in range(50):
        step = (arc_length(A, B, u) - s) / float(speed(A, B, u))
        u -= step
        if abs(step) < 1e-13:
            break
    return u


def point(A: float, B: float, u: float) -> np.ndarray:
    return np.array([A * math.sin(u), B * math.cos(u)])
