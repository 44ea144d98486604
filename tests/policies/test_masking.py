"""Masked distributions: masked choices are never sampled nor the mode; unmasked ones keep SB3's probabilities."""

import numpy as np
import pytest
import torch
from gymnasium import spaces
from stable_baselines3.common.distributions import make_proba_distribution

from policies.masking import check_masks, mask_size, masked_distribution

SPACES = [spaces.Discrete(5), spaces.MultiDiscrete([3, 4]), spaces.MultiBinary(3)]


def random_masks(space: spaces.Space, B: int, generator: np.random.Generator) -> np.ndarray:
    """(B, mask_size) masks with at least one valid choice per categorical."""
    parts = {
        spaces.Discrete: lambda: [int(space.n)],
        spaces.MultiDiscrete: lambda: list(space.nvec),
        spaces.MultiBinary: lambda: [2] * int(space.n),
    }[type(space)]()
    masks = []
    for n in parts:
        part = generator.random((B, n)) < 0.5
        part[np.arange(B), generator.integers(n, size=B)] = True
        masks.append(part)
    return np.concatenate(masks, axis=1)


def logit_count(space: spaces.Space) -> int:
    return int(space.n) if isinstance(space, spaces.Discrete | spaces.MultiBinary) else int(sum(space.nvec))


def chosen_entries(space: spaces.Space, actions: torch.Tensor) -> np.ndarray:
    """(B, k) indices into the mask of the choices that ``actions`` (B, ...) made."""
    actions = actions.reshape(len(actions), -1).long().numpy()
    if isinstance(space, spaces.Discrete):
        return actions
    sizes = list(space.nvec) if isinstance(space, spaces.MultiDiscrete) else [2] * int(space.n)
    return actions + np.cumsum([0, *sizes[:-1]])


@pytest.mark.parametrize("space", SPACES, ids=lambda s: type(s).__name__)
def test_masked_choices_are_never_sampled_nor_the_mode(space):
    generator = np.random.default_rng(0)
    torch.manual_seed(0)
    B = 64
    masks = random_masks(space, B, generator)
    logits = 3 * torch.randn(B, logit_count(space))
    distribution = masked_distribution(space, logits, masks)
    for deterministic in (True, *[False] * 50):
        entries = chosen_entries(space, distribution.get_actions(deterministic=deterministic))
        assert np.take_along_axis(masks, entries, axis=1).all()


@pytest.mark.parametrize("space", SPACES, ids=lambda s: type(s).__name__)
def test_all_true_masks_keep_sb3s_distribution(space):
    """With every choice valid, log-probabilities and entropy are those of SB3's unmasked distribution."""
    torch.manual_seed(0)
    B = 16
    logits = torch.randn(B, logit_count(space))
    plain = make_proba_distribution(space).proba_distribution(logits)
    masked = masked_distribution(space, logits, np.ones((B, mask_size(space)), dtype=bool))
    actions = plain.sample()
    torch.testing.assert_close(masked.log_prob(actions), plain.log_prob(actions))
    torch.testing.assert_close(masked.entropy(), plain.entropy())


def test_masks_renormalise_over_the_valid_choices():
    logits = torch.tensor([[0.0, 1.0, 2.0]])
    distribution = masked_distribution(spaces.Discrete(3), logits, np.array([[True, True, False]]))
    expected = torch.log_softmax(logits[:, :2], dim=1)
    torch.testing.assert_close(distribution.log_prob(torch.tensor([0, 1])), expected.flatten())
    assert distribution.log_prob(torch.tensor([2])).item() < -1e6


def test_mask_sizes():
    assert [mask_size(space) for space in SPACES] == [5, 7, 6]
    assert mask_size(spaces.Box(-1, 1, (2,))) == 0


def test_bad_masks_are_refused():
    with pytest.raises(ValueError, match=r"need a Discrete, MultiDiscrete or MultiBinary action space, got Box"):
        check_masks(spaces.Box(-1, 1, (2,)), np.ones((1, 2)), 1)
    with pytest.raises(ValueError, match=r"must have n_envs \* 5 = 10 entries .* got shape \(2, 4\)"):
        check_masks(spaces.Discrete(5), np.ones((2, 4)), 2)
