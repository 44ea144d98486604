"""Classical baselines: forecasts against their definitions, majority class and 1-NN on hand-made sequences."""

import numpy as np
import pytest

from agents.sequence.baselines import (
    FrameClassifier,
    MajorityClassifier,
    NearestNeighborClassifier,
    arima_forecast,
    dtw_distances,
    linear_forecast,
    naive_forecast,
    seasonal_naive_forecast,
)
from envs.datasets.clips import moving_digits
from tests.agents.sequence.tasks import seasonal_series


def test_forecast_baselines():
    series = seasonal_series(60)
    np.testing.assert_array_equal(naive_forecast(series, 3), np.full(3, series[-1]))
    np.testing.assert_array_equal(seasonal_naive_forecast(series, 15, 12), np.r_[series[-12:], series[-12:-9]])
    assert linear_forecast(series, 6, lookback=12).shape == (6,)
    with pytest.raises(ValueError, match="season must be in"):
        seasonal_naive_forecast(series, 3, 0)
    pytest.importorskip("statsmodels")
    assert arima_forecast(series, 4, order=(1, 0, 0)).shape == (4,)


def test_classification_baselines():
    X = [np.zeros(3), np.ones(5), np.ones(4) * 2, np.zeros(2)]
    y = np.array(["a", "b", "b", "a"])
    assert MajorityClassifier().fit(X, np.array(["a", "b", "b", "b"])).predict(X[:2]).tolist() == ["b", "b"]
    knn = NearestNeighborClassifier().fit(X, y)
    assert knn.predict([np.full(7, 0.1), np.full(2, 1.2)]).tolist() == ["a", "b"]
    assert knn.score(X, y) == 1.0


def _dtw_oracle(a, b):
    """The textbook O(T U) recursion, one cell at a time."""
    table = np.full((len(a) + 1, len(b) + 1), np.inf)
    table[0, 0] = 0.0
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            step = ((a[i - 1] - b[j - 1]) ** 2).sum()
            table[i, j] = step + min(table[i - 1, j], table[i, j - 1], table[i - 1, j - 1])
    return table[-1, -1]


def test_dtw_distances_match_the_recursion_for_any_lengths():
    rng = np.random.default_rng(0)
    A = [rng.standard_normal((length, 2)) for length in (5, 9, 3)]
    B = [rng.standard_normal((length, 2)) for length in (7, 4)]
    expected = np.array([[_dtw_oracle(a, b) for b in B] for a in A])
    np.testing.assert_allclose(dtw_distances(A, B, chunk=4), expected, rtol=1e-5)
    shifted = np.sin(np.linspace(0, 6, 40))[:, None]
    assert dtw_distances([shifted], [np.roll(shifted, 3)])[0, 0] < 0.5 * ((shifted - np.roll(shifted, 3)) ** 2).sum()


def test_one_nearest_neighbour_under_dtw_ignores_a_time_shift():
    t = np.linspace(0, 1, 50)
    bump = lambda centre, width: np.exp(-(((t - centre) / width) ** 2))  # noqa: E731
    X_train, y = [bump(0.3, 0.05), bump(0.3, 0.2)], np.array(["narrow", "wide"])
    X_test = [bump(0.7, 0.05), bump(0.7, 0.2)]  # the same shapes, later
    assert NearestNeighborClassifier("dtw").fit(X_train, y).predict(X_test).tolist() == ["narrow", "wide"]
    with pytest.raises(ValueError, match="metric='cosine': expected 'euclidean' or 'dtw'"):
        NearestNeighborClassifier("cosine")


def test_frame_views_pick_the_middle_a_real_or_the_mean_frame():
    clips = [np.arange(n)[:, None, None, None] * np.ones((n, 1, 2, 2)) for n in (5, 2, 3)]  # frame t is all t
    middle = FrameClassifier("middle")._pixels(clips)
    np.testing.assert_array_equal(middle[:, 0], [2, 1, 1])
    np.testing.assert_array_equal(FrameClassifier("mean")._pixels(clips)[:, 0], [2, 0.5, 1])  # padding not counted
    random = FrameClassifier("random", random_state=3)._pixels(clips * 20)
    assert middle.shape == (3, 4)
    assert random.shape == (60, 4)
    assert all(0 <= value < len(clip) for value, clip in zip(random[:, 0], clips * 20, strict=True))
    assert len(set(random[::3, 0].tolist())) == 5  # the 5-frame clip: every frame drawn somewhere
    with pytest.raises(ValueError, match="view='last': expected one of 'middle', 'random', 'mean'"):
        FrameClassifier("last")


def test_frame_baselines_learn_what_one_frame_shows_but_not_moving_digits_direction():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 200)
    bright = rng.random((200, 3, 1, 4, 4)) + y[:, None, None, None, None]  # every frame shows the label
    assert FrameClassifier("middle").fit(bright[:100], y[:100]).score(bright[100:], y[100:]) > 0.95
    data = moving_digits(n_train=600, n_test=600, T=6, size=12)
    for view in ("middle", "random", "mean"):
        assert FrameClassifier(view).fit(data.X_train, data.y_train).score(data.X_test, data.y_test) < 0.6


def test_char_ngram_add_k_probabilities_by_hand():
    from agents.sequence.baselines import CharNGramLanguageModel

    model = CharNGramLanguageModel(order=2, k=0.5).fit(["abab"])  # V = 2 characters + 1 unseen
    # "ba": b after begin (count 0 of context count 1), then a after b (1 of 1)
    bits = -np.log2(0.5 / (1 + 1.5)) - np.log2(1.5 / (1 + 1.5))
    assert model.bits_per_char(["ba"]) == pytest.approx(bits / 2)


def test_char_ngram_order_and_k_are_chosen_on_validation():
    from agents.sequence.baselines import CharNGramLanguageModel

    model = CharNGramLanguageModel(max_order=4).fit(["abcabcabc" * 30], validation=["abcabc" * 5])
    assert model.order_ >= 2  # one character of context predicts this text; none does not
    assert model.k_ == min(CharNGramLanguageModel.K_GRID)
    assert len(model.selection_) == 4 * len(CharNGramLanguageModel.K_GRID)
    with pytest.raises(ValueError, match="pass validation="):
        CharNGramLanguageModel().fit(["abc"])


def test_char_ngram_classifier_reads_raw_strings():
    from agents.sequence.baselines import char_ngram_classifier

    words = ["zebra", "pizza", "lazy", "apple", "melon", "berry"] * 5
    labels = ["z" in w for w in words]
    assert char_ngram_classifier().fit(words, labels).score(words, labels) == 1.0
