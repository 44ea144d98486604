"""Token ids as a sequence head's input: a learned vector per id in front of the recurrent core.

The sequence estimators hand every step to their encoder's ``features`` module as a (T*B, 1) array; with
:func:`embed_tokens` that module is an :class:`nn.Embedding`, so a classifier reads text tokenised into ids
(``agents.sequence.tokens``). Id 0 is padding, which the heads never read (lengths mark the real steps).

Example:
    >>> from policies.heads import SequenceClassifier
    >>> head = embed_tokens(SequenceClassifier(8, n_classes=3, hidden_size=16), n_tokens=30)
    >>> ids = torch.randint(1, 30, (12, 4, 1)).float()  # (T, B, 1)
    >>> tuple(head(ids, lengths=torch.tensor([12, 5, 7, 1])).shape)
    (4, 3)
"""

from __future__ import annotations

from typing import Any, TypeVar

import numpy as np
import torch
from torch import nn

HeadT = TypeVar("HeadT", bound=nn.Module)


class TokenEmbedding(nn.Module):
    """Ids, (N, 1) of any number type or (N,), -> their learned vectors (N, E)."""

    def __init__(self, n_tokens: int, embedding_dim: int) -> None:
        super().__init__()
        self.embedding = nn.Embedding(int(n_tokens), int(embedding_dim), padding_idx=0)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        return self.embedding(ids.reshape(ids.shape[0], -1)[:, 0].long())  # (N, 1) -> (N,) -> (N, E)


def embed_tokens(head: HeadT, n_tokens: int, embedding_dim: int | None = None) -> HeadT:
    """Put a :class:`TokenEmbedding` as ``head.encoder.features``; ``embedding_dim`` defaults to the core's input."""
    encoder: Any = head.encoder  # a SequenceEncoder: heads.py imports nothing from here, nor this from heads.py
    dim = embedding_dim if embedding_dim is not None else encoder.core.input_size
    encoder.features = TokenEmbedding(n_tokens, int(dim))
    return head


def count_tokens(array: np.ndarray, embedding_dim: int) -> int:
    """The vocabulary size a padded (N, T, 1) array of ids needs, max id + 1; anything but ids raises ``ValueError``."""
    if not isinstance(embedding_dim, (int, np.integer)) or isinstance(embedding_dim, bool) or embedding_dim < 1:
        raise ValueError(f"embedding_dim={embedding_dim!r}: expected a positive integer or None")
    check_token_ids(array)
    return int(array.max()) + 1


def check_token_ids(array: np.ndarray, n_tokens: int | None = None) -> None:
    """Raise ``ValueError`` unless ``array`` is (N, T, 1) non-negative integers below ``n_tokens`` (if given)."""
    if array.ndim != 3 or array.shape[2] != 1:
        raise ValueError(f"with embedding_dim, X holds token ids: one per step, got per-step shape {array.shape[2:]}")
    if (array < 0).any() or (array != np.round(array)).any():
        raise ValueError("with embedding_dim, X must hold non-negative integer token ids")
    if n_tokens is not None and array.max() >= n_tokens:
        raise ValueError(f"X holds token id {int(array.max())}: the vocabulary seen at fit has ids below {n_tokens}")
