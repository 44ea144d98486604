"""The text experiments: the Dyck-2 check against an oracle model, and the configuration checks."""

import numpy as np
import pytest

from agents.experiment.text import TextConfig, check_config, dyck_errors
from agents.sequence.tokens import CharTokenizer
from envs.datasets.text import Dyck2


class ExactModel:
    """Stands in for a language model: its log-probabilities are Dyck-2's exact ones, perturbed by ``error``."""

    def __init__(self, dyck, error=0.0):
        self.dyck, self.error = dyck, error
        self.tokenizer_ = CharTokenizer().fit([dyck.symbols])

    def log_probabilities(self, texts):
        out = []
        for text in texts:
            p = np.full((len(text) + 1, self.tokenizer_.vocabulary_size_), 1e-30)
            for t in range(len(text)):
                for s, q in self.dyck.next_distribution(text[:t]).items():
                    p[t, self.tokenizer_.encode(s)[0]] = max(q, 1e-30)
            p[:, 0] += self.error  # mass on padding, which the exact distribution never has
            out.append(np.log(p / p.sum(1, keepdims=True)))
        return out


def test_the_exact_model_scores_zero_and_misplaced_mass_counts():
    dyck = Dyck2(max_depth=3)
    texts = dyck.sample(20, seed=0)
    assert dyck_errors(ExactModel(dyck), dyck, texts)["max TV"] == pytest.approx(0.0, abs=1e-9)
    errors = dyck_errors(ExactModel(dyck, error=0.25), dyck, texts)
    assert errors["mean TV"] == pytest.approx(0.2, abs=1e-6)  # 0.25 / 1.25 moved onto padding
    assert 0 < errors["mean max abs diff"] <= errors["max abs diff"] <= 0.2 + 1e-9


def test_config_is_checked_before_anything_runs():
    with pytest.raises(ValueError, match="dataset='wiki'"):
        check_config(TextConfig(dataset="wiki"))
    with pytest.raises(ValueError, match="max_depth=0"):
        check_config(TextConfig(dataset="dyck2", data={"max_depth": 0}))
