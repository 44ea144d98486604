"""Moving digits: shapes, labels against the motion in the frames, the image split, seeding, input checks."""

import numpy as np
import pytest

from envs.datasets import VIDEO, SequenceData, load_dataset
from envs.datasets.clips import SPEEDS, digit_images, moving_digits


def test_shapes_labels_and_registration():
    data = load_dataset("moving_digits", n_train=20, n_test=10, T=6, size=12)
    assert isinstance(data, SequenceData)
    assert "moving_digits" in VIDEO
    assert data.X_train.shape == (20, 6, 1, 12, 12)
    assert data.X_test.shape == (10, 6, 1, 12, 12)
    assert data.X_train.dtype == np.float32
    assert set(data.y_train.tolist()) <= {0, 1}
    assert data.task == "classification"


def test_each_frame_is_the_last_one_shifted_by_the_labelled_direction():
    """Without noise, frame t+1 is frame t rolled 1 or 2 pixels right (label 1) or left (label 0), wrapping."""
    data = moving_digits(n_train=40, n_test=10, T=5, size=12, noise=0.0, seed=2)
    for clip, label in zip(data.X_train, data.y_train, strict=True):
        sign = 1 if label == 1 else -1
        speeds = [v for v in SPEEDS if np.array_equal(np.roll(clip[0], sign * v, axis=-1), clip[1])]
        assert len(speeds) == 1
        for t in range(4):
            np.testing.assert_array_equal(np.roll(clip[t], sign * speeds[0], axis=-1), clip[t + 1])
    assert 0.2 < data.y_train.mean() < 0.8


def test_test_clips_show_digit_images_unseen_in_training():
    train, test = digit_images(seed=0)
    assert len(train) + len(test) == 1797
    assert 0.3 < len(test) / 1797 < 0.37
    train_rows = {image.tobytes() for image in train}
    assert not any(image.tobytes() in train_rows for image in test)
    data = moving_digits(n_train=30, n_test=30, T=3, size=8, noise=0.0, seed=0)  # canvas = digit: a shift of one
    digits = {np.roll(image, shift, axis=(0, 1)).tobytes() for image in test for shift in np.ndindex(8, 8)}
    assert all(clip[0, 0].tobytes() in digits for clip in data.X_test)


def test_same_seed_same_clips_and_another_seed_others():
    first, again, other = (moving_digits(n_train=8, n_test=4, T=4, seed=s) for s in (1, 1, 2))
    np.testing.assert_array_equal(first.X_train, again.X_train)
    np.testing.assert_array_equal(first.y_test, again.y_test)
    assert not np.array_equal(first.X_train, other.X_train)


def test_min_length_cuts_clips_into_a_list():
    data = moving_digits(n_train=30, n_test=5, T=8, size=10, min_length=3, seed=0)
    lengths = [len(x) for x in data.X_train]
    assert min(lengths) >= 3
    assert max(lengths) <= 8
    assert len(set(lengths)) > 1
    assert all(x.shape[1:] == (1, 10, 10) for x in [*data.X_train, *data.X_test])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"T": 1}, "T=1: a clip needs at least 2 frames"),
        ({"size": 6}, "size=6: the canvas must be at least 8 pixels"),
        ({"n_test": 0}, "n_test=0: expected positive integers"),
        ({"noise": -0.1}, "noise=-0.1: expected >= 0"),
        ({"min_length": 11}, r"min_length=11: expected an integer in \[2, T=10\] or None"),
    ],
)
def test_bad_arguments_raise_named_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        moving_digits(**kwargs)
