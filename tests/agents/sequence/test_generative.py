"""LanguageModelClassifier: Bayes' rule over one language model per class, and the whole-text likelihood it reads."""

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import cross_val_score

from agents.sequence.generative import LanguageModelClassifier
from agents.sequence.language import RecurrentLanguageModel
from agents.sequence.tokens import BOS

TINY = {"hidden_size": 16, "embedding_dim": 8, "seq_len": 8, "batch_size": 2, "max_steps": 60, "eval_every": 20}
# Two classes that share no characters; the test words are new strings of each class's letters
WORDS = ["abab", "baba", "abba", "aab", "bbaa", "ababab"] * 3 + ["xyxy", "yxyx", "xyyx", "xxy", "yyxx", "xyxyxy"] * 3
LABELS = ["ab"] * 18 + ["xy"] * 18


@pytest.fixture(scope="module")
def clf():
    return LanguageModelClassifier(RecurrentLanguageModel(**TINY), random_state=0).fit(WORDS, LABELS)


def test_log_likelihood_is_each_token_given_its_prefix_then_the_end():
    lm = RecurrentLanguageModel(**TINY).fit(["the cat sat on the mat "] * 4)
    text = "the mat"
    net, ids = lm.module_, [BOS, *lm.tokenizer_.encode(text)]
    state, total = net.core.initial_state(1), 0.0
    with torch.no_grad():  # the reference: one step at a time from the zero state; the end is the begin id next
        for t, target in enumerate([*ids[1:], BOS]):
            logits, state = net(torch.tensor([[ids[t]]]), state, torch.zeros(1, 1))
            total += float(torch.log_softmax(logits[0, 0].double(), -1)[target])
    assert lm.log_likelihood([text, "cat"])[0] == pytest.approx(total, rel=1e-4)
    assert lm.log_likelihood(text)[0] < -lm.token_nats(text)[0].sum()  # ending is not certain: it costs


def test_new_words_go_to_the_class_whose_letters_they_use(clf):
    assert clf.predict(["aabb", "bab", "yyx", "xxyy"]).tolist() == ["ab", "ab", "xy", "xy"]
    assert clf.score(["aabb", "yyx"], ["ab", "xy"]) == 1.0


def test_probabilities_are_bayes_rule_over_the_class_models(clf):
    texts = ["abba", "xy", "ax"]
    joint = clf.predict_joint_log_proba(texts)
    expected = np.stack([m.log_likelihood(texts) for m in clf.models_], axis=1) + np.log([0.5, 0.5])
    np.testing.assert_allclose(joint, expected)
    np.testing.assert_allclose(clf.predict_proba(texts).sum(1), 1.0)
    np.testing.assert_allclose(np.exp(clf.predict_log_proba(texts)), clf.predict_proba(texts))
    assert clf.classes_.tolist() == ["ab", "xy"]
    assert len(clf.models_) == 2


def test_priors_are_the_label_frequencies_and_shift_the_decision():
    words, labels = WORDS[:18] + WORDS[18:24], LABELS[:18] + LABELS[18:24]  # 18 "ab", 6 "xy"
    clf = LanguageModelClassifier(RecurrentLanguageModel(**TINY), val_fraction=0.0).fit(words, labels)
    np.testing.assert_allclose(clf.class_log_prior_, np.log([0.75, 0.25]))
    joint = clf.predict_joint_log_proba(["ab"])
    likelihood = np.array([[m.log_likelihood("ab")[0] for m in clf.models_]])
    np.testing.assert_allclose(joint - likelihood, clf.class_log_prior_[None])


def test_each_class_model_copies_the_template_and_fits_are_repeatable(clf):  # from the shared pretrained model
    template = clf.language_model
    assert all(m.get_params() == template.get_params() | {"random_state": 0, "warm_start": True} for m in clf.models_)
    assert not hasattr(template, "module_")  # the template itself is never fitted
    again = clone(clf).fit(WORDS, LABELS)
    np.testing.assert_allclose(again.predict_joint_log_proba(["abx"]), clf.predict_joint_log_proba(["abx"]))


def test_scikit_learn_model_selection_takes_it():
    scores = cross_val_score(LanguageModelClassifier(RecurrentLanguageModel(**TINY)), WORDS, LABELS, cv=2)
    assert scores.shape == (2,)
    assert (scores > 0.5).all()


@pytest.mark.parametrize(
    ("kwargs", "X", "y", "error", "words"),
    [
        ({}, WORDS, LABELS[:-1], ValueError, "one label per text"),
        ({"val_fraction": 1.0}, WORDS, LABELS, ValueError, "val_fraction=1.0"),
        ({"language_model": "gru"}, WORDS, LABELS, TypeError, "RecurrentLanguageModel"),
        ({}, [1, 2], [0, 1], TypeError, "X must be"),
        ({"language_model": RecurrentLanguageModel(**TINY | {"batch_size": 64})}, WORDS, LABELS, ValueError, "'ab'"),
    ],
)
def test_bad_input_raises_one_typed_error_naming_it(kwargs, X, y, error, words):
    with pytest.raises(error, match=words):
        LanguageModelClassifier(**kwargs).fit(X, y)


def test_predicting_before_fit_raises_not_fitted():
    with pytest.raises(NotFittedError):
        LanguageModelClassifier().predict(["ab"])


def test_pretraining_gives_every_class_model_one_vocabulary_and_without_it_each_its_own():
    clf = LanguageModelClassifier(RecurrentLanguageModel(**TINY)).fit(WORDS, LABELS)
    assert {m.n_tokens_ for m in clf.models_} == {3 + len(set("abxy"))}  # padding, unknown, begin, and a b x y
    assert all(m.warm_start for m in clf.models_)
    assert clf.predict(["aabb", "yyx"]).tolist() == ["ab", "xy"]
    alone = LanguageModelClassifier(RecurrentLanguageModel(**TINY), pretrain=False).fit(WORDS, LABELS)
    assert [m.n_tokens_ for m in alone.models_] == [3 + 2, 3 + 2]
    assert not any(m.warm_start for m in alone.models_)
    assert alone.predict(["aabb", "yyx"]).tolist() == ["ab", "xy"]
