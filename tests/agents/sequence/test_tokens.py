"""Character and subword tokenizers: reserved ids, unknown characters, round trips, saved state, pipelines."""

import numpy as np
import pytest
from sklearn.base import clone

from agents.sequence.tokens import (
    BOS,
    PAD,
    UNK,
    CharTokenizer,
    SubwordTokenizer,
    check_texts,
    make_tokenizer,
    tokenizer_from_state,
)

TEXTS = ["the cat sat on the mat", "a dog; the end.", "ünïcode too"]


def test_char_ids_skip_the_reserved_ones_and_unknown_maps_to_unk():
    tokens = CharTokenizer().fit(TEXTS)
    ids = np.concatenate(tokens.transform(TEXTS))
    assert ids.min() > BOS
    assert ids.dtype == np.int64
    assert tokens.vocabulary_size_ == 3 + len(set("".join(TEXTS)))
    assert tokens.transform(["t\u2603t"])[0].tolist() == [tokens.encode("t")[0], UNK, tokens.encode("t")[0]]
    assert PAD not in ids


def test_char_round_trip_and_saved_state():
    tokens = CharTokenizer().fit(TEXTS)
    assert [tokens.decode(ids) for ids in tokens.transform(TEXTS)] == TEXTS
    again = tokenizer_from_state("char", tokens.get_params(), tokens.get_state())
    assert all((a == b).all() for a, b in zip(again.transform(TEXTS), tokens.transform(TEXTS), strict=True))


def test_subword_round_trip_reserved_ids_and_saved_state():
    texts = [" ".join(TEXTS) * 5, "the theme of the thesis"]
    tokens = SubwordTokenizer(vocab_size=300).fit(texts)
    ids = tokens.transform(texts)
    assert [tokens.decode(i) for i in ids] == texts
    assert sum(len(i) for i in ids) < sum(len(t) for t in texts)  # merges shorten the text
    assert min(int(i.min()) for i in ids) > BOS
    again = tokenizer_from_state("subword", tokens.get_params(), tokens.get_state())
    assert again.transform(texts)[0].tolist() == ids[0].tolist()


def test_subword_vocab_size_is_checked():
    with pytest.raises(ValueError, match="vocab_size=10"):
        SubwordTokenizer(vocab_size=10).fit(TEXTS)


def test_texts_are_checked():
    assert check_texts("one") == ["one"]
    with pytest.raises(TypeError, match="list of strings, got int"):
        check_texts(3)
    with pytest.raises(ValueError, match="empty"):
        check_texts([])
    with pytest.raises(ValueError, match="tokenizer='words'"):
        make_tokenizer("words")


def test_clone_and_copies_are_unfitted():
    tokens = CharTokenizer().fit(TEXTS)
    assert not hasattr(clone(tokens), "vocabulary_size_")
    assert not hasattr(make_tokenizer(tokens), "vocabulary_size_")
