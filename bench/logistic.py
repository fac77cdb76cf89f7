"""Logistic and softmax regression on sparse binary features, in numpy (for train_detector.py).

No scikit-learn: the model is small, the data a few thousand notes, and sixty lines written
here are easier to keep deterministic and in step with dialogues/detector/learned.py than a
dependency. Rows are stored CSR-style (``Rows``): the feature numbers of every note one after
the other with their values (learned.feature_values). Full-batch Adam
with L2; the same data and settings give the same weights on every run.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Rows:
    indices: np.ndarray  # feature numbers, row after row
    values: np.ndarray  # the value of each of them
    starts: np.ndarray  # where each row begins in indices (len = rows + 1)
    width: int  # number of features

    @classmethod
    def build(cls, rows: list[list[tuple[int, float]]], width: int) -> Rows:
        starts = np.zeros(len(rows) + 1, dtype=np.int64)
        starts[1:] = np.cumsum([len(r) for r in rows])
        # Sorted within a row: the sums then run in one order whatever order the features came
        # in (a set's order changes with PYTHONHASHSEED), so the weights are the same every run.
        rows = [sorted(r) for r in rows]
        indices = np.array([i for r in rows for i, _ in r], dtype=np.int64)
        values = np.array([v for r in rows for _, v in r], dtype=float)
        return cls(indices, values, starts, width)

    @property
    def owner(self) -> np.ndarray:
        return np.repeat(np.arange(len(self.starts) - 1), np.diff(self.starts))


def _scores(x: Rows, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    """x @ w + b for a (features, classes) weight matrix."""
    running = np.zeros((len(x.indices) + 1, w.shape[1]))
    np.cumsum(w[x.indices] * x.values[:, None], axis=0, out=running[1:])
    return running[x.starts[1:]] - running[x.starts[:-1]] + b


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def fit(
    x: Rows,
    y: np.ndarray,
    classes: int,
    l2: float,
    weights: np.ndarray | None = None,
    steps: int = 300,
    rate: float = 0.1,
):
    """Weights (features, classes') and bias; classes == 2 trains one sigmoid column. A row's
    weight multiplies its share of the loss (None: all rows alike)."""
    share = np.ones(len(y)) if weights is None else np.asarray(weights, dtype=float)
    share = share / share.sum()
    k = 1 if classes == 2 else classes
    w = np.zeros((x.width, k))
    b = np.zeros(k)
    target = y[:, None].astype(float) if k == 1 else np.eye(k)[y]
    owner = x.owner
    moments = [np.zeros_like(w), np.zeros_like(w), np.zeros_like(b), np.zeros_like(b)]
    for step in range(1, steps + 1):
        z = _scores(x, w, b)
        p = 1 / (1 + np.exp(-z)) if k == 1 else _softmax(z)
        error = (p - target) * share[:, None]
        spread = error[owner] * x.values[:, None]
        grad_w = np.stack(
            [np.bincount(x.indices, spread[:, c], minlength=x.width) for c in range(k)], axis=1
        )
        grad_w += l2 * w
        grad_b = error.sum(axis=0)
        for value, grad, m, v in ((w, grad_w, *moments[:2]), (b, grad_b, *moments[2:])):
            m *= 0.9
            m += 0.1 * grad
            v *= 0.999
            v += 0.001 * grad * grad
            value -= rate * (m / (1 - 0.9**step)) / (np.sqrt(v / (1 - 0.999**step)) + 1e-8)
    return w, b


def predict(x: Rows, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Probabilities: one column for a sigmoid head, one per class for softmax."""
    z = _scores(x, w, b)
    return 1 / (1 + np.exp(-z)) if w.shape[1] == 1 else _softmax(z)
