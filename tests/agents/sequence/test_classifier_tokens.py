"""RecurrentClassifier on token ids (``embedding_dim``): raw strings through a CharTokenizer pipeline."""

import numpy as np
import pytest
from sklearn.pipeline import make_pipeline

from agents.sequence import RecurrentClassifier
from agents.sequence.tokens import CharTokenizer

FAST = {"embedding_dim": 8, "hidden_size": 16, "max_steps": 150, "min_steps": 0, "batch_size": 32, "lr": 1e-2}


def words(n, seed):
    """Label 1 when the word holds a 'z', which can sit anywhere: the classifier must read every character."""
    rng = np.random.default_rng(seed)
    texts = ["".join(rng.choice(list("abcdz" if i % 2 else "abcd"), rng.integers(3, 9))) for i in range(n)]
    return texts, np.array(["z" if "z" in t else "no z" for t in texts])


def test_pipeline_fits_on_raw_strings_and_learns():
    X, y = words(300, 0)
    pipeline = make_pipeline(CharTokenizer(), RecurrentClassifier(**FAST, pooling="max")).fit(X, y)
    clf = pipeline[-1]
    assert clf.n_tokens_ == pipeline[0].vocabulary_size_
    assert clf.stride_ == 1
    assert clf.mean_ is None
    assert pipeline.score(*words(200, 1)) > 0.9


def test_save_and_load_keep_the_embedding(tmp_path):
    X, y = words(60, 2)
    tokens = CharTokenizer().fit(X)
    clf = RecurrentClassifier(**{**FAST, "max_steps": 5}).fit(tokens.transform(X), y)
    clf.save(tmp_path / "clf.pt")
    again = RecurrentClassifier.load(tmp_path / "clf.pt")
    ids = tokens.transform(X[:10])
    np.testing.assert_allclose(again.predict_proba(ids), clf.predict_proba(ids))


def test_ids_outside_the_fitted_vocabulary_raise():
    clf = RecurrentClassifier(**{**FAST, "max_steps": 2}).fit([np.array([1, 2, 3]), np.array([3, 1])], [0, 1])
    with pytest.raises(ValueError, match="token id 7"):
        clf.predict([np.array([7, 1])])
