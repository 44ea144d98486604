"""Scikit-learn estimators on the sequence heads (their classical baselines are in ``agents.baselines``).

``RecurrentClassifier`` and ``RecurrentRegressor`` take ``X`` as a float array (N, T, F), a univariate (N, T) array,
or a list of (T_i, F) arrays of different lengths (padded inside, with outputs gathered at each sequence's last real
step); with ``embedding_dim`` they read integer token ids, and clips of frames (N, T, C, H, W) go through a CNN per
frame. ``RecurrentLanguageModel`` fits on text (characters or subwords) and generates; ``LanguageModelClassifier``
classifies texts with one such model per class. ``RecurrentForecaster`` fits on one or several series and predicts
the next ``horizon`` steps. The classifier, regressor and forecaster are scikit-learn estimators (``BaseEstimator``;
the classifier and regressor with ``ClassifierMixin``/``RegressorMixin``, so ``clone``, ``Pipeline``,
``cross_val_score`` and ``GridSearchCV`` take them) and save to a weights-only file. Training settings are explicit
keywords named as :class:`~agents.sequence.trainer.TrainerConfig`'s fields, the seed being ``random_state``.

Example:
    >>> from envs.datasets import parity
    >>> data = parity(n_train=64, n_test=32, T=6)
    >>> clf = RecurrentClassifier(hidden_size=8, max_epochs=2).fit(data.X_train, data.y_train)
    >>> clf.predict_proba(data.X_test).shape
    (32, 2)
"""

from agents.sequence.classifier import RecurrentClassifier
from agents.sequence.forecaster import RecurrentForecaster
from agents.sequence.generative import LanguageModelClassifier
from agents.sequence.language import RecurrentLanguageModel
from agents.sequence.regressor import RecurrentRegressor
from agents.sequence.tokens import CharTokenizer, SubwordTokenizer
from agents.sequence.trainer import SequenceTrainer, TrainerConfig

__all__ = [
    "CharTokenizer",
    "LanguageModelClassifier",
    "RecurrentClassifier",
    "RecurrentForecaster",
    "RecurrentLanguageModel",
    "RecurrentRegressor",
    "SequenceTrainer",
    "SubwordTokenizer",
    "TrainerConfig",
]
