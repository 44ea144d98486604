"""``LanguageModelClassifier``: texts by class through one recurrent language model per class and Bayes' rule.

A generative classifier, as naive Bayes is, with a :class:`RecurrentLanguageModel` in place of word counts: each
class's model learns what texts of that class look like, and a text goes to the class that gives it the highest
``ln p(class) + ln p(text | class)``. On small labelled sets of short texts, where a discriminative head fits its
training labels within a few epochs, this generalises better: on names by language (``load_dataset("names")``) it
beats both :class:`~agents.sequence.RecurrentClassifier` on token ids and a bag of character n-grams
(docs/language.md). scikit-learn has no such meta-estimator over language models, hence this one.

Example:
    >>> lm = RecurrentLanguageModel(hidden_size=16, embedding_dim=8, seq_len=8, batch_size=2, max_steps=30)
    >>> words = ["abab", "baba", "abba"] * 4 + ["xyxy", "yxyx", "xyyx"] * 4
    >>> clf = LanguageModelClassifier(lm).fit(words, ["ab"] * 12 + ["xy"] * 12)
    >>> clf.predict(["aabb", "yyxx"]).tolist()
    ['ab', 'xy']
"""

from __future__ import annotations

import copy
from typing import Any, Self

import numpy as np
from scipy.special import logsumexp
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.utils.validation import check_is_fitted

from agents.sequence.language import RecurrentLanguageModel
from agents.sequence.tokens import check_texts


def default_language_model() -> RecurrentLanguageModel:
    """The template when none is given: a character LSTM for short texts (names, words, sentences).

    256 units, 64-dimensional embeddings, dropout 0.3, 32-step chunks of 16 columns, 600 steps, weights picked on
    the held-out texts every 50 steps (docs/language.md compares it with other sizes and budgets on names).
    """
    return RecurrentLanguageModel(
        cell="lstm",
        hidden_size=256,
        embedding_dim=64,
        dropout=0.3,
        seq_len=32,
        batch_size=16,
        max_steps=600,
        eval_every=50,
    )


class LanguageModelClassifier(ClassifierMixin, BaseEstimator):
    """One language model per class (copies of ``language_model``); a text's class maximises ln p(c) + ln p(text | c).

    Args:
        language_model: an unfitted :class:`RecurrentLanguageModel` whose settings every class's model copies
            (``sklearn.base.clone``); None: :func:`default_language_model`.
        val_fraction: share of each class's texts held out to pick its model's weights (``fit(validation=)``);
            a class with too few texts for a split trains on them all and keeps its last weights.
        pretrain: first fit one model on every class's texts (its weights picked on all held-out texts), then
            train each class's model on from a copy of it (``warm_start``): the classes share one vocabulary, and
            a small class starts from what all the texts have in common instead of from scratch.
        random_state: seeds the held-out split and every model (None: a fresh seed each fit).
    """

    def __init__(
        self,
        language_model: RecurrentLanguageModel | None = None,
        val_fraction: float = 0.1,
        pretrain: bool = True,
        random_state: int | None = 0,
    ) -> None:
        self.language_model = language_model
        self.val_fraction = val_fraction
        self.pretrain = pretrain
        self.random_state = random_state

    def fit(self, X: Any, y: Any) -> Self:
        """Fit one model per class on that class's texts; the class priors are the label frequencies."""
        texts = np.asarray(check_texts(X, "X"), dtype=object)
        labels = np.asarray(y)
        if labels.ndim != 1 or len(labels) != len(texts):
            raise ValueError(f"y must hold one label per text: {len(texts)} texts, y of shape {labels.shape}")
        if not 0 <= self.val_fraction < 1:
            raise ValueError(f"val_fraction={self.val_fraction!r}: expected a number in [0, 1)")
        template = default_language_model() if self.language_model is None else self.language_model
        if not isinstance(template, RecurrentLanguageModel):
            raise TypeError(f"language_model must be a RecurrentLanguageModel, got {type(template).__name__}")
        seed = self.random_state
        if seed is None:
            seed = int(np.random.SeedSequence().generate_state(1)[0])
        rng = np.random.default_rng(seed)
        self.classes_, counts = np.unique(labels, return_counts=True)
        self.class_log_prior_ = np.log(counts / counts.sum())
        splits = []
        for label in self.classes_:
            members = rng.permutation(texts[labels == label]).tolist()
            n_val = round(self.val_fraction * len(members))
            splits.append((members[n_val:], members[:n_val]) if 0 < n_val < len(members) else (members, None))
        shared = None
        if self.pretrain:  # one model of every class's texts, which each class's model then trains on from
            held_out = [text for _, val in splits for text in (val or [])]
            shared = clone(template).set_params(random_state=seed)
            shared.fit([text for train, _ in splits for text in train], validation=held_out or None)
        self.models_ = []
        for label, (train, val) in zip(self.classes_, splits, strict=True):
            model = clone(template).set_params(random_state=seed) if shared is None else copy.deepcopy(shared)
            try:
                model.set_params(warm_start=shared is not None).fit(train, validation=val)
            except ValueError as error:
                raise ValueError(f"class {label!r}: {error}") from None
            self.models_.append(model)
        return self

    def predict_joint_log_proba(self, X: Any) -> np.ndarray:
        """ln p(c) + ln p(text | c) for every text and class, (N, n_classes), as scikit-learn's naive Bayes names it."""
        check_is_fitted(self, "models_")
        texts = check_texts(X, "X")
        return np.stack([m.log_likelihood(texts) for m in self.models_], axis=1) + self.class_log_prior_

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """ln p(c | text), (N, n_classes): the joint normalised over the classes."""
        joint = self.predict_joint_log_proba(X)
        return joint - logsumexp(joint, axis=1, keepdims=True)

    def predict_proba(self, X: Any) -> np.ndarray:
        """p(c | text), (N, n_classes), in the order of ``classes_``."""
        return np.exp(self.predict_log_proba(X))

    def predict(self, X: Any) -> np.ndarray:
        """The likeliest class of each text."""
        joint = self.predict_joint_log_proba(X)  # checks the fit first
        return self.classes_[np.argmax(joint, axis=1)]

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        return tags
