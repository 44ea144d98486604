"""Invalid-action masking on top of SB3's action distributions, with sb3-contrib's maskable distributions.

A mask is a boolean vector per environment with one entry per choice, as sb3-contrib's ``MaskablePPO`` takes it:
``n`` for ``Discrete(n)``, ``sum(nvec)`` for ``MultiDiscrete(nvec)`` and ``2 * n`` for ``MultiBinary(n)`` (the
entries for "0" and "1" of each binary action, in pairs). True keeps a choice, False removes it: a removed choice gets
the logit -1e8, so it is never sampled (its probability is exactly 0 in float32) and never the mode.

The policy's network and parameters are SB3's (a ``Linear`` to ``n``, ``sum(nvec)`` or ``n`` logits), so a masked
policy is the same model as an unmasked one: masks change the distribution built from the logits, nothing else.

Example:
    >>> space = spaces.Discrete(3)
    >>> dist = masked_distribution(space, torch.zeros(1, 3), torch.tensor([[False, True, False]]))
    >>> dist.get_actions(deterministic=True).tolist()
    [1]
"""

from __future__ import annotations

import numpy as np
import torch
from gymnasium import spaces
from sb3_contrib.common.maskable.distributions import MaskableDistribution, make_masked_proba_distribution

MASKABLE_SPACES = (spaces.Discrete, spaces.MultiDiscrete, spaces.MultiBinary)


def mask_size(action_space: spaces.Space) -> int:
    """Entries of one action mask for ``action_space``; 0 for spaces that cannot be masked (Box)."""
    if isinstance(action_space, spaces.Discrete):
        return int(action_space.n)
    if isinstance(action_space, spaces.MultiDiscrete):
        return int(np.sum(action_space.nvec))
    if isinstance(action_space, spaces.MultiBinary):
        return 2 * int(np.prod(action_space.shape))
    return 0


def check_masks(action_space: spaces.Space, masks: np.ndarray | torch.Tensor, n_envs: int) -> None:
    """Raise a ``ValueError`` unless ``masks`` can mask ``n_envs`` actions of ``action_space``."""
    size = mask_size(action_space)
    if size == 0:
        raise ValueError(f"action masks need a Discrete, MultiDiscrete or MultiBinary action space, got {action_space}")
    if int(np.prod(np.shape(masks))) != n_envs * size:
        raise ValueError(
            f"action masks must have n_envs * {size} = {n_envs * size} entries ({n_envs} envs, {size} per action "
            f"for {action_space}), got shape {tuple(np.shape(masks))}"
        )


def masked_distribution(
    action_space: spaces.Space, action_logits: torch.Tensor, masks: np.ndarray | torch.Tensor
) -> MaskableDistribution:
    """sb3-contrib's maskable distribution over ``action_logits`` (B, n_logits) with ``masks`` (B, mask_size) applied.

    For ``MultiBinary`` the policy's n Bernoulli logits l become n two-way categoricals with logits (0, l), which
    give the same probabilities: sigmoid(l) = exp(l) / (1 + exp(l)).
    """
    B = action_logits.shape[0]
    check_masks(action_space, masks, B)
    if isinstance(action_space, spaces.MultiBinary):
        action_logits = torch.stack([torch.zeros_like(action_logits), action_logits], dim=-1).reshape(B, -1)
    distribution = make_masked_proba_distribution(action_space)
    distribution.proba_distribution(action_logits)
    distribution.apply_masking(torch.as_tensor(masks, device=action_logits.device).reshape(B, -1))
    return distribution
