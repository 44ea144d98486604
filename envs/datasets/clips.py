"""Generated video clips whose label needs the order of the frames: scikit-learn's 8x8 digits moving left or right.

Each clip shows one handwritten digit (``sklearn.datasets.load_digits``, shipped inside scikit-learn: no download)
on a small canvas that wraps around at its edges, moving by the same 1 or 2 pixels per frame. The label is the
direction, 0 = left and 1 = right. The start is uniform over the canvas, so every single frame has the same
distribution in both classes, and the frames of a left-moving clip are those of a right-moving one played backwards,
so the mean frame (any order-free summary) has the same distribution too: only the order of the frames tells the
classes apart. The digit images are split before any clip is made, so test clips show digits never seen in training.

Example:
    >>> data = moving_digits(n_train=8, n_test=4, T=6, size=12)
    >>> data.X_train.shape, data.y_train.shape, sorted(set(data.y_train.tolist()))
    ((8, 6, 1, 12, 12), (8,), [0, 1])
"""

from __future__ import annotations

import numpy as np

from envs.datasets.base import SequenceData

DIGIT_SIDE = 8  # sklearn's digits are 8x8 images with values 0..16
SPEEDS = (1, 2)  # pixels per frame


def digit_images(seed: int = 0, test_fraction: float = 1 / 3) -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's 1797 digit images scaled to [0, 1], split at random into train and test: (n, 8, 8) each."""
    from sklearn.datasets import load_digits

    images = load_digits().images.astype(np.float32) / 16.0
    order = np.random.default_rng(seed).permutation(len(images))
    n_test = round(test_fraction * len(images))
    return images[order[n_test:]], images[order[:n_test]]


def moving_clips(
    images: np.ndarray, n: int, T: int, size: int, noise: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """``n`` clips (n, T, 1, size, size) of digits from ``images`` moving left (label 0) or right (label 1)."""
    labels = rng.integers(0, 2, n)
    digits = images[rng.integers(0, len(images), n)]  # (n, 8, 8)
    canvas = np.zeros((n, size, size), dtype=np.float32)
    canvas[:, :DIGIT_SIDE, :DIGIT_SIDE] = digits
    rows, columns = rng.integers(0, size, n), rng.integers(0, size, n)  # start, uniform on the torus
    velocity = rng.choice(SPEEDS, n) * np.where(labels == 1, 1, -1)  # pixels per frame, signed
    clips = np.empty((n, T, 1, size, size), dtype=np.float32)
    for i in range(n):
        start = np.roll(canvas[i], (rows[i], columns[i]), axis=(0, 1))
        for t in range(T):
            clips[i, t, 0] = np.roll(start, velocity[i] * t, axis=1)
    if noise > 0:
        clips += rng.normal(0.0, noise, clips.shape).astype(np.float32)
    return clips, labels


def moving_digits(
    n_train: int = 2_000,
    n_test: int = 1_000,
    T: int = 10,
    size: int = 16,
    noise: float = 0.1,
    min_length: int | None = None,
    seed: int = 0,
) -> SequenceData:
    """Clips (N, T, 1, size, size) of a digit moving left (0) or right (1) on a wrapping canvas; test digits unseen.

    Args:
        n_train, n_test: clips in each split.
        T: frames per clip (at least 2: one frame shows no motion).
        size: side of the square canvas in pixels (at least 8, a digit's side).
        noise: std of Gaussian pixel noise added to every frame (pixels are in [0, 1] before it).
        min_length: if set, each clip is cut to a random length in [min_length, T] and ``X`` is a list of
            (T_i, 1, size, size) arrays; None keeps all T frames in one array.
        seed: fixes the split of the digit images and every clip.
    """
    if int(T) < 2:
        raise ValueError(f"T={T!r}: a clip needs at least 2 frames to show motion")
    if int(size) < DIGIT_SIDE:
        raise ValueError(f"size={size!r}: the canvas must be at least {DIGIT_SIDE} pixels, a digit's side")
    if min(int(n_train), int(n_test)) < 1:
        raise ValueError(f"n_train={n_train!r}, n_test={n_test!r}: expected positive integers")
    if noise < 0:
        raise ValueError(f"noise={noise!r}: expected >= 0")
    if min_length is not None and not 2 <= int(min_length) <= int(T):
        raise ValueError(f"min_length={min_length!r}: expected an integer in [2, T={T}] or None")
    train_images, test_images = digit_images(seed)
    rng = np.random.default_rng(seed)
    X_train, y_train = moving_clips(train_images, int(n_train), int(T), int(size), float(noise), rng)
    X_test, y_test = moving_clips(test_images, int(n_test), int(T), int(size), float(noise), rng)
    name = f"moving_digits_T{T}_{size}px"
    if min_length is None:
        return SequenceData(name, X_train, y_train, X_test, y_test)
    cut_train = [x[:length] for x, length in zip(X_train, rng.integers(min_length, T + 1, n_train), strict=True)]
    cut_test = [x[:length] for x, length in zip(X_test, rng.integers(min_length, T + 1, n_test), strict=True)]
    return SequenceData(name, cut_train, y_train, cut_test, y_test)
