"""RecurrentLanguageModel: exact evaluation with the state carried across chunks, sampling from the prompt's state,
save/load, bits per character across tokenizers, and learning a periodic text."""

import math

import numpy as np
import pytest
import torch

from agents.sequence.language import RecurrentLanguageModel, pack_documents
from agents.sequence.tokens import BOS, CharTokenizer

TINY = {"hidden_size": 16, "embedding_dim": 8, "seq_len": 16, "batch_size": 4, "max_steps": 30, "eval_every": 15}
TEXTS = ["abcabcabcabc" * 8, "the cat sat on the mat " * 6, "xyz"]


@pytest.fixture(scope="module", params=["gru", "lstm"])
def lm(request):
    return RecurrentLanguageModel(cell=request.param, **TINY).fit(TEXTS, validation=TEXTS[:1])


def step_by_step_nats(lm, text):
    """The reference: the document alone, one step at a time from the zero state."""
    net, ids = lm.module_, [BOS, *lm.tokenizer_.encode(text)]
    state, nats = net.core.initial_state(1), []
    with torch.no_grad():
        for t in range(len(ids) - 1):
            logits, state = net(torch.tensor([[ids[t]]]), state, torch.zeros(1, 1))
            nats.append(-float(torch.log_softmax(logits[0, 0], -1)[ids[t + 1]]))
    return np.array(nats)


def test_packed_chunked_evaluation_equals_each_document_stepped_alone(lm):
    for chunk in (3, 512):  # a short chunk carries the state across many chunk boundaries
        for text, nats in zip(TEXTS, lm.token_nats(TEXTS, chunk=chunk), strict=True):
            np.testing.assert_allclose(nats, step_by_step_nats(lm, text), rtol=1e-4, atol=1e-5)


def test_bits_per_char_and_perplexity_follow_from_the_token_nats(lm):
    nats = np.concatenate(lm.token_nats(TEXTS))
    characters = sum(len(t) for t in TEXTS)
    assert lm.bits_per_char(TEXTS) == pytest.approx(nats.sum() / math.log(2) / characters)
    assert lm.perplexity(TEXTS) == pytest.approx(math.exp(nats.mean()))
    assert lm.score(TEXTS) == -lm.bits_per_char(TEXTS)


def test_log_probabilities_rows_are_distributions_matching_the_token_nats(lm):
    (log_p,) = lm.log_probabilities(TEXTS[1])
    assert log_p.shape == (len(TEXTS[1]) + 1, lm.n_tokens_)
    np.testing.assert_allclose(np.exp(log_p).sum(1), 1.0, rtol=1e-5)
    ids = lm.tokenizer_.encode(TEXTS[1])
    np.testing.assert_allclose(-log_p[np.arange(len(ids)), ids], lm.token_nats(TEXTS[1])[0], rtol=1e-4)


def test_generation_starts_from_the_prompts_state(lm):
    prompt = "the cat s"
    (log_p,) = lm.log_probabilities(prompt)
    greedy = lm.tokenizer_.decode([int(np.argmax(log_p[-1]))])
    assert lm.generate(prompt, 1, temperature=1e-4, seed=0) == prompt + greedy  # argmax after the whole prompt
    assert lm.generate(prompt, 20, seed=3) == lm.generate(prompt, 20, seed=3)
    assert len(lm.generate(prompt, 20, top_k=1)) <= len(prompt) + 20


def test_save_and_load_give_the_same_model(lm, tmp_path):
    lm.save(tmp_path / "lm.pt")
    again = RecurrentLanguageModel.load(tmp_path / "lm.pt")
    assert again.bits_per_char(TEXTS) == pytest.approx(lm.bits_per_char(TEXTS))
    assert again.generate("abc", 10, seed=1) == lm.generate("abc", 10, seed=1)


def test_a_periodic_text_is_learned():
    lm = RecurrentLanguageModel(**{**TINY, "max_steps": 150, "lr": 1e-2}).fit(["abcd" * 400])
    assert lm.bits_per_char("abcd" * 50) < 0.3  # log2(4) = 2 bits without memory


def test_subword_bits_are_per_character_and_saved_with_the_vocabulary(tmp_path):
    text = "the cat sat on the mat and the hat " * 30
    lm = RecurrentLanguageModel(tokenizer="subword", vocab_size=300, **TINY).fit([text])
    n_tokens = len(lm.tokenizer_.encode(text))
    assert n_tokens < len(text)
    nats = lm.token_nats(text)[0].sum()
    assert lm.bits_per_char(text) == pytest.approx(nats / math.log(2) / len(text))
    assert lm.perplexity(text) == pytest.approx(math.exp(nats / n_tokens))
    lm.save(tmp_path / "lm.pt")
    assert RecurrentLanguageModel.load(tmp_path / "lm.pt").bits_per_char(text) == pytest.approx(lm.bits_per_char(text))


def test_a_tokenizer_object_is_copied_not_fitted_in_place():
    tokens = CharTokenizer()
    lm = RecurrentLanguageModel(tokenizer=tokens, **{**TINY, "max_steps": 2}).fit(TEXTS)
    assert not hasattr(tokens, "vocabulary_size_")
    assert lm.tokenizer_ is not tokens


def test_pack_documents_keeps_every_document_whole():
    documents = [np.arange(n) + 10 for n in (5, 1, 7, 3)]
    packed = pack_documents(documents, 2)
    for index, document in enumerate(documents):
        t, c = np.nonzero(packed.doc == index)
        assert len(set(c)) == 1
        assert (np.diff(t) == 1).all()
        assert (packed.ids[t, c] == document).all()
        assert (packed.pos[t, c] == np.arange(len(document))).all()


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"hidden_size": 0}, "hidden_size=0"),
        ({"lr": -1.0}, "lr=-1.0"),
        ({"dropout": 1.0}, "dropout=1.0"),
        ({"tokenizer": "words"}, "tokenizer='words'"),
        ({"batch_size": 10_000}, "too few for batch_size=10000"),
    ],
)
def test_bad_parameters_raise_at_fit(params, match):
    with pytest.raises(ValueError, match=match):
        RecurrentLanguageModel(**{**TINY, **params}).fit(TEXTS)


def test_bad_generation_arguments_raise(lm):
    with pytest.raises(ValueError, match="n=-1"):
        lm.generate("a", -1)
    with pytest.raises(ValueError, match="temperature=0"):
        lm.generate("a", 3, temperature=0)
    with pytest.raises(TypeError, match="prompt must be a string"):
        lm.generate(3, 3)


def test_warm_start_trains_on_from_the_fitted_vocabulary_and_weights():
    text = ["abcabcabcabc" * 8]
    cold = RecurrentLanguageModel(**TINY).fit(text)
    assert RecurrentLanguageModel(**TINY).fit(text).fit(text).bits_per_char(text) == cold.bits_per_char(text)
    warm = RecurrentLanguageModel(**TINY, warm_start=True).fit(text).fit(text)  # twice the training
    assert warm.bits_per_char(text) < cold.bits_per_char(text)
    vocabulary = warm.tokenizer_.vocabulary_size_
    warm.fit(["xyz" * 20])  # new characters: the vocabulary stays, they read as unknown
    assert warm.tokenizer_.vocabulary_size_ == vocabulary == warm.n_tokens_


def test_a_warm_start_keeps_its_starting_weights_when_training_on_only_hurts_the_validation_texts():
    text = ["abcabcabcabc" * 8]
    lm = RecurrentLanguageModel(**TINY, warm_start=True).fit(text)
    before = lm.bits_per_char(text)
    lm.fit(["xyzxyz" * 20], validation=text)  # unseen characters: it learns to predict <unk>, worse on the original
    assert lm.bits_per_char(text) <= before + 1e-9
