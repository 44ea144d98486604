"""Token ids in front of a sequence head: shapes, padding never read, checks of the ids."""

import numpy as np
import pytest
import torch

from policies.embedding import check_token_ids, count_tokens, embed_tokens
from policies.heads import SequenceClassifier


def test_padding_after_a_sequence_changes_nothing():
    torch.manual_seed(0)
    head = embed_tokens(SequenceClassifier(6, n_classes=3, hidden_size=8, pooling="mean"), n_tokens=20).eval()
    ids = torch.randint(1, 20, (9, 3, 1)).float()  # (T, B, 1)
    lengths = torch.tensor([9, 4, 6])
    other = ids.clone()
    other[5:, 1] = 7.0  # after column 1's real steps
    assert head.encoder.features.embedding.embedding_dim == 6
    torch.testing.assert_close(head(ids, lengths), head(other, lengths))


def test_ids_are_checked():
    assert count_tokens(np.array([[[3.0], [0.0]]]), 4) == 4
    with pytest.raises(ValueError, match="embedding_dim=0"):
        count_tokens(np.zeros((1, 2, 1)), 0)
    with pytest.raises(ValueError, match="non-negative integer"):
        check_token_ids(np.array([[[1.5]]]))
    with pytest.raises(ValueError, match="token id 9"):
        check_token_ids(np.array([[[9.0]]]), n_tokens=5)
    with pytest.raises(ValueError, match="one per step"):
        check_token_ids(np.zeros((1, 2, 3)))
