"""The fused chunk call must equal stepping one step at a time, for every cell, resets anywhere."""

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from policies.cores import CELLS, cat_states, detach_state, index_state, make_core, step_through


@st.composite
def chunks(draw):
    T = draw(st.integers(1, 12))
    B = draw(st.integers(1, 5))
    bits = draw(st.lists(st.booleans(), min_size=T * B, max_size=T * B))
    return T, B, torch.tensor(bits, dtype=torch.float32).view(T, B), draw(st.integers(0, 2**31 - 1))


@pytest.mark.parametrize("num_layers", [1, 2])
@pytest.mark.parametrize("cell", CELLS)
@settings(max_examples=40, deadline=None)
@given(chunk=chunks())
def test_fused_equals_stepping(cell, num_layers, chunk):
    T, B, episode_starts, seed = chunk
    torch.manual_seed(seed)
    core = make_core(cell, input_size=3, hidden_size=5, num_layers=num_layers)
    x = torch.randn(T, B, 3)
    state = torch.randn_like(core.initial_state(B))
    fused_out, fused_state = core(x, state, episode_starts)
    ref_out, ref_state = step_through(core, x, state, episode_starts)
    torch.testing.assert_close(fused_out, ref_out, atol=1e-5, rtol=0)
    torch.testing.assert_close(fused_state, ref_state, atol=1e-5, rtol=0)


@pytest.mark.parametrize("cell", CELLS)
def test_resets_in_one_sequence_and_none(cell):
    """Several resets in one sequence, none in the other: the explicit cases the property test may miss."""
    torch.manual_seed(0)
    core = make_core(cell, 2, 4, layer_norm=True)
    starts = torch.zeros(9, 2)
    starts[[0, 3, 4, 8], 0] = 1
    x, state = torch.randn(9, 2, 2), torch.randn_like(core.initial_state(2))
    out, final = core(x, state, starts)
    ref_out, ref_final = step_through(core, x, state, starts)
    torch.testing.assert_close(out, ref_out, atol=1e-5, rtol=0)
    torch.testing.assert_close(final, ref_final, atol=1e-5, rtol=0)


@pytest.mark.parametrize("cell", CELLS)
def test_gradients_reach_every_parameter(cell):
    core = make_core(cell, 3, 4, num_layers=2, layer_norm=True)
    starts = torch.zeros(6, 3)
    starts[2, 1] = 1
    out, final = core(torch.randn(6, 3, 3), core.initial_state(3), starts)
    (out.sum() + final.sum()).backward()
    for name, param in core.named_parameters():
        assert param.grad is not None, name
        assert param.grad.abs().sum() > 0, name


@pytest.mark.parametrize("cell", CELLS)
def test_reset_cuts_the_gradient(cell):
    core = make_core(cell, 3, 4, num_layers=2)
    x = torch.randn(8, 2, 3, requires_grad=True)
    state = torch.randn_like(core.initial_state(2)).requires_grad_()
    starts = torch.zeros(8, 2)
    starts[5, 0] = 1
    out, _ = core(x, state, starts)
    out[5:, 0].sum().backward()
    assert torch.equal(x.grad[:5, 0], torch.zeros_like(x.grad[:5, 0]))
    assert torch.equal(state.grad[:, 0], torch.zeros_like(state.grad[:, 0]))
    assert x.grad[5:, 0].abs().sum() > 0
    assert torch.equal(x.grad[:, 1], torch.zeros_like(x.grad[:, 1]))  # sequences stay independent


@pytest.mark.parametrize("cell", CELLS)
def test_state_helpers_round_trip(cell):
    core = make_core(cell, 3, 4, num_layers=2)
    state = torch.randn_like(core.initial_state(5)).requires_grad_()
    assert state.shape == (core.state_size, 5, 4)
    parts = [index_state(state, [0, 1]), index_state(state, slice(2, 5))]
    torch.testing.assert_close(cat_states(parts), state)
    detached = detach_state(state * 2)
    assert not detached.requires_grad
    perm = torch.tensor([4, 2, 0, 1, 3])
    torch.testing.assert_close(index_state(index_state(state, perm), torch.argsort(perm)), state)
    # Stepping with a selected state equals selecting the stepped state.
    x = torch.randn(3, 5, 3)
    starts = torch.zeros(3, 5)
    _, whole = core(x, state, starts)
    _, part = core(x[:, [1, 3]], index_state(state, [1, 3]), starts[:, [1, 3]])
    torch.testing.assert_close(part, index_state(whole, [1, 3]))


def test_unknown_cell_lists_choices():
    with pytest.raises(ValueError, match=r"Unknown cell type 'transformer': expected one of 'rnn', 'lstm', 'gru'"):
        make_core("transformer", 3, 4)


def test_bad_sizes_and_mask_shape():
    with pytest.raises(ValueError, match="hidden_size must be a positive integer"):
        make_core("gru", 3, 0)
    core = make_core("gru", 3, 4)
    with pytest.raises(ValueError, match="episode_starts must have shape"):
        core(torch.zeros(4, 2, 3), core.initial_state(2), torch.zeros(4, 3))


def test_lstm_forget_gates_start_open():
    """Every LSTM layer and direction starts with forget gates at sigmoid(0.5): the cell keeps 62% of its memory."""
    core = make_core("lstm", 3, 4, num_layers=2, bidirectional=True)
    biases = dict(core.rnn.named_parameters())
    for suffix in ("l0", "l1", "l0_reverse", "l1_reverse"):
        forget = biases[f"bias_ih_{suffix}"][4:8] + biases[f"bias_hh_{suffix}"][4:8]
        torch.testing.assert_close(torch.sigmoid(forget), torch.full((4,), 0.6225), atol=1e-4, rtol=0)
