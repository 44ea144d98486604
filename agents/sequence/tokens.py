"""Text -> integer token ids: characters by default, subword (BPE) vocabularies through Hugging Face ``tokenizers``.

Both are scikit-learn transformers, so ``make_pipeline(CharTokenizer(), RecurrentClassifier(embedding_dim=32))``
fits on raw strings. Ids 0, 1 and 2 are reserved: padding (never read by the heads), unknown and begin-of-document.
A fitted tokenizer turns into plain values (:meth:`get_state`) that estimators save beside their weights.

Example:
    >>> tokens = CharTokenizer().fit(["hello", "world"])
    >>> tokens.transform(["hold", "hi!"])[1].tolist()
    [5, 1, 1]
    >>> tokens.decode(tokens.transform(["hold"])[0])
    'hold'
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from envs.datasets import require_extra

PAD, UNK, BOS = 0, 1, 2
SPECIALS: tuple[str, ...] = ("<pad>", "<unk>", "<bos>")


def check_texts(texts: Any, name: str = "texts") -> list[str]:
    """A string or a list of strings -> a non-empty list of strings; anything else raises ``TypeError``."""
    if isinstance(texts, str):
        return [texts]
    if isinstance(texts, np.ndarray):
        texts = texts.tolist()
    if not isinstance(texts, (list, tuple)) or not all(isinstance(t, str) for t in texts):
        raise TypeError(f"{name} must be a string or a list of strings, got {type(texts).__name__}")
    if not texts:
        raise ValueError(f"{name} is empty: expected at least one string")
    return list(texts)


class Tokenizer(TransformerMixin, BaseEstimator):
    """What the text heads need of a tokenizer: ids per text, the vocabulary size, decoding, a storable state."""

    kind: ClassVar[str] = ""
    vocabulary_size_: int

    def fit(self, X: Any, y: Any = None) -> Tokenizer:
        """Learn the vocabulary from ``X`` (a string or a list of strings); ``y`` is ignored (pipelines pass it)."""
        self._learn(check_texts(X, "X"))
        return self

    def transform(self, X: Any) -> list[np.ndarray]:
        """One int64 array of ids per text (an empty text gives an empty array)."""
        check_is_fitted(self, "vocabulary_size_")
        return [np.asarray(self.encode(text), dtype=np.int64) for text in check_texts(X, "X")]

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        return tags

    def _learn(self, texts: list[str]) -> None:
        raise NotImplementedError

    def encode(self, text: str) -> list[int]:
        raise NotImplementedError

    def decode(self, ids: Any) -> str:
        """Ids back to text; the special ids are dropped."""
        raise NotImplementedError

    def get_state(self) -> dict[str, Any]:
        """The fitted vocabulary as plain values (``torch.load(weights_only=True)`` reads them)."""
        raise NotImplementedError

    def set_state(self, state: dict[str, Any]) -> None:
        raise NotImplementedError


class CharTokenizer(Tokenizer):
    """One id per character seen at fit (in sorted order, after the three special ids); others map to ``<unk>``."""

    kind = "char"

    def _learn(self, texts: list[str]) -> None:
        self.set_state({"characters": "".join(sorted(set("".join(texts))))})

    def encode(self, text: str) -> list[int]:
        index = self.index_
        return [index.get(c, UNK) for c in text]

    def decode(self, ids: Any) -> str:
        check_is_fitted(self, "vocabulary_size_")
        return "".join(self.characters_[i - len(SPECIALS)] for i in np.asarray(ids).tolist() if i >= len(SPECIALS))

    def get_state(self) -> dict[str, Any]:
        check_is_fitted(self, "vocabulary_size_")
        return {"characters": self.characters_}

    def set_state(self, state: dict[str, Any]) -> None:
        self.characters_: str = state["characters"]
        self.index_ = {c: i + len(SPECIALS) for i, c in enumerate(self.characters_)}
        self.vocabulary_size_ = len(SPECIALS) + len(self.characters_)


class SubwordTokenizer(Tokenizer):
    """A byte-level BPE vocabulary of ``vocab_size`` ids trained on the fit texts (Hugging Face ``tokenizers``).

    Byte-level: every text round-trips through :meth:`decode`, and nothing is unknown. Needs the extra ``[text]``.
    """

    kind = "subword"

    def __init__(self, vocab_size: int = 512) -> None:
        self.vocab_size = vocab_size

    def _learn(self, texts: list[str]) -> None:
        if not isinstance(self.vocab_size, int) or self.vocab_size < 300:
            raise ValueError(
                f"vocab_size={self.vocab_size!r}: expected an integer >= 300 (256 bytes, specials, merges)"
            )
        hf = require_extra("tokenizers", "text", "SubwordTokenizer")
        tokenizer = hf.Tokenizer(hf.models.BPE(unk_token=SPECIALS[UNK]))
        tokenizer.pre_tokenizer = hf.pre_tokenizers.ByteLevel(add_prefix_space=False)
        tokenizer.decoder = hf.decoders.ByteLevel()
        trainer = hf.trainers.BpeTrainer(
            vocab_size=self.vocab_size,
            special_tokens=list(SPECIALS),  # ids 0, 1, 2 in this order
            initial_alphabet=hf.pre_tokenizers.ByteLevel.alphabet(),
            show_progress=False,
        )
        tokenizer.train_from_iterator(texts, trainer)
        self._use(tokenizer)

    def _use(self, tokenizer: Any) -> None:
        assert [tokenizer.token_to_id(s) for s in SPECIALS] == [PAD, UNK, BOS]
        self.tokenizer_ = tokenizer
        self.vocabulary_size_ = tokenizer.get_vocab_size()

    def encode(self, text: str) -> list[int]:
        return list(self.tokenizer_.encode(text).ids)

    def decode(self, ids: Any) -> str:
        check_is_fitted(self, "vocabulary_size_")
        return str(self.tokenizer_.decode([int(i) for i in np.asarray(ids).tolist()], skip_special_tokens=True))

    def get_state(self) -> dict[str, Any]:
        check_is_fitted(self, "vocabulary_size_")
        return {"json": self.tokenizer_.to_str()}

    def set_state(self, state: dict[str, Any]) -> None:
        hf = require_extra("tokenizers", "text", "SubwordTokenizer")
        self._use(hf.Tokenizer.from_str(state["json"]))


TOKENIZERS: dict[str, type[Tokenizer]] = {"char": CharTokenizer, "subword": SubwordTokenizer}


def make_tokenizer(spec: str | Tokenizer, vocab_size: int | None = None) -> Tokenizer:
    """A fresh (unfitted) tokenizer from ``"char"``, ``"subword"`` or a :class:`Tokenizer` to copy the settings of."""
    if isinstance(spec, Tokenizer):
        return type(spec)(**spec.get_params())
    if spec not in TOKENIZERS:
        raise ValueError(f"tokenizer={spec!r}: expected one of {', '.join(map(repr, TOKENIZERS))} or a Tokenizer")
    if spec == "subword":
        return SubwordTokenizer(512 if vocab_size is None else vocab_size)
    return CharTokenizer()


def tokenizer_from_state(kind: str, params: dict[str, Any], state: dict[str, Any]) -> Tokenizer:
    """Rebuild a fitted tokenizer saved as its kind, parameters and :meth:`Tokenizer.get_state`."""
    tokenizer = TOKENIZERS[kind](**params)
    tokenizer.set_state(state)
    return tokenizer
