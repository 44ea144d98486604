"""The text sets: python_docs' fixed split by topic, names without ambiguous labels, Dyck-2's exact distribution."""

import itertools

import numpy as np
import pytest

from envs.datasets import load_dataset
from envs.datasets.text import Dyck2, load_dyck2, load_names, load_python_docs


def test_python_docs_split_is_fixed_disjoint_and_about_80_10_10():
    data = load_python_docs()
    assert data == load_dataset("python_docs")
    from pydoc_data.topics import topics

    parts = [data.train, data.val, data.test]
    assert sorted(itertools.chain(*parts)) == sorted(topics.values())
    sizes = np.array([sum(map(len, part)) for part in parts]) / sum(map(len, topics.values()))
    np.testing.assert_allclose(sizes, [0.8, 0.1, 0.1], atol=0.03)


def test_names_are_unambiguous_and_split_by_locale():
    data = load_names()
    names = [*data.X_train, *data.X_test]
    assert len(set(names)) == len(names)  # a name under two locales is dropped, so none repeats
    assert set(data.X_train).isdisjoint(data.X_test)
    locales, train_counts = np.unique(data.y_train, return_counts=True)
    _, test_counts = np.unique(data.y_test, return_counts=True)
    assert len(locales) == 10
    np.testing.assert_allclose(test_counts / (train_counts + test_counts), 0.2, atol=0.01)
    assert load_names().X_test == data.X_test


def test_names_bad_locale_is_one_error():
    with pytest.raises(ValueError, match="locale 'xx_XX'"):
        load_names(("de_DE", "xx_XX"))


def test_dyck_distribution_is_exact_at_every_prefix():
    dyck = Dyck2(p_open=0.4, p_end=0.3, max_depth=2)
    assert dyck.next_distribution("") == pytest.approx({"(": 0.35, "[": 0.35, ")": 0, "]": 0, ".": 0.3})
    assert dyck.next_distribution("[") == pytest.approx({"(": 0.2, "[": 0.2, ")": 0, "]": 0.6, ".": 0})
    assert dyck.next_distribution("[(") == pytest.approx({"(": 0, "[": 0, ")": 1, "]": 0, ".": 0})
    with pytest.raises(ValueError, match="not a Dyck-2 prefix"):
        dyck.next_distribution("(]")


def test_dyck_samples_are_balanced_and_follow_the_distribution():
    dyck = Dyck2(max_depth=3)
    texts = dyck.sample(800, seed=1)
    for text in texts:
        assert text.endswith(".")
        assert text.count(".") == 1
        dyck.next_distribution(text[:-1])  # every prefix is valid
    ends = sum(1 for text in texts for t in range(len(text)) if _depth(text[:t]) == 0 and text[t] == ".")
    visits = sum(1 for text in texts for t in range(len(text)) if _depth(text[:t]) == 0)
    assert ends / visits == pytest.approx(dyck.p_end, abs=0.03)
    assert max(_max_depth(text) for text in texts) == 3
    assert load_dyck2(n_train=5, n_val=1, n_test=1).train == load_dyck2(n_train=5, n_val=1, n_test=1).train


def _depth(prefix):
    return sum(1 if c in "([" else -1 for c in prefix if c in "([)]")


def _max_depth(text):
    return max(_depth(text[:t]) for t in range(len(text) + 1))
