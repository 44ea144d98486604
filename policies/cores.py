"""Recurrent cores: Elman RNN, LSTM and GRU behind one interface, with resets anywhere in a chunk.

The state of every core is a single tensor of shape (S, B, H), where S is ``num_layers`` for the Elman RNN and
the GRU and ``2 * num_layers`` for the LSTM (its ``h`` stacked over its ``c``). Batch is always dimension 1, so
buffers index, concatenate and detach states without knowing the cell type.

A chunk ``x`` of shape (T, B, F) may carry episode starts anywhere. Instead of looping over time steps, the chunk
is cut at the resets into segments, the segments are padded side by side and run through a single fused
``nn.RNN``/``nn.LSTM``/``nn.GRU`` call (cuDNN on GPUs, oneDNN for the LSTM on CPUs), and the outputs are scattered
back. Only the final state of a sequence whose last segment is shorter than the longest needs a second, small call.
Single steps (rollouts, ``predict``) call the cell functions (``torch.lstm_cell``, ...) directly: at policy sizes
that costs a third of a module call.

Example:
    >>> core = make_core("gru", input_size=3, hidden_size=8)
    >>> x, starts = torch.zeros(5, 2, 3), torch.zeros(5, 2)
    >>> out, state = core(x, core.initial_state(2), starts)
    >>> tuple(out.shape), tuple(state.shape)
    ((5, 2, 8), (1, 2, 8))
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, NamedTuple, TypeAlias, cast

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

CellType: TypeAlias = Literal["rnn", "lstm", "gru"]
CELLS: tuple[str, ...] = ("rnn", "lstm", "gru")
_MODULES: dict[str, Callable[..., nn.RNNBase]] = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}
_CELL_STEPS: dict[str, Callable[..., Any]] = {
    "rnn": torch.rnn_tanh_cell,
    "lstm": torch.lstm_cell,
    "gru": torch.gru_cell,
}
LSTM_FORGET_BIAS = 0.5  # initial forget-gate bias of every LSTM core; see RecurrentCore._open_forget_gates


def check_cell(cell: str) -> CellType:
    """Return ``cell`` lower-cased, or raise a ``ValueError`` naming the valid cell types."""
    name = str(cell).lower()
    if name not in CELLS:
        raise ValueError(f"Unknown cell type {cell!r}: expected one of {', '.join(repr(c) for c in CELLS)}")
    return cast(CellType, name)


class Segments(NamedTuple):
    """Where each (t, b) of a chunk lands once the chunk is cut at episode starts and padded side by side."""

    rows: torch.Tensor  # (T*B,) time-major: row of step (t, b) in the padded (max_length * n_segments) layout
    lengths: torch.Tensor  # (n_segments,) length of each segment (on CPU, for packing)
    first: torch.Tensor  # (B,) segment holding step 0 of each sequence
    last: torch.Tensor  # (B,) segment holding step T-1 of each sequence
    max_length: int  # T', the longest segment


def split_segments(episode_starts: torch.Tensor) -> Segments:
    """Cut each column of a (T, B) reset mask into segments that start at t = 0 or at a reset."""
    T, B = episode_starts.shape
    starts = episode_starts.t().bool().clone()  # (B, T)
    starts[:, 0] = True
    flat = starts.reshape(-1)
    seg = torch.cumsum(flat.long(), 0) - 1  # (B*T,) b-major
    index = torch.arange(B * T, device=flat.device)
    seg_begin = index[flat]  # (n,) flat index where each segment begins
    pos = index - seg_begin[seg]
    n_segments = seg_begin.numel()
    lengths = torch.bincount(seg, minlength=n_segments).cpu()
    rows = (pos * n_segments + seg).view(B, T).t().reshape(-1)
    seg_bt = seg.view(B, T)
    return Segments(rows, lengths, seg_bt[:, 0], seg_bt[:, -1], int(lengths.max()))


def inner_resets(episode_starts: torch.Tensor) -> bool:
    """Whether a (T, B) reset mask resets anywhere after step 0 (only then must a chunk be cut into segments)."""
    return episode_starts.shape[0] > 1 and bool(episode_starts[1:].any())


class RecurrentCore(nn.Module):
    """An Elman RNN, LSTM or GRU that resets its state at episode starts, with optional output layer norm.

    Args:
        cell: ``"rnn"`` (Elman, tanh), ``"lstm"`` or ``"gru"``.
        input_size: features per step, F.
        hidden_size: units per layer, H.
        num_layers: stacked layers.
        layer_norm: apply ``nn.LayerNorm(H)`` to the outputs.
        dropout: dropout between stacked layers (as in ``nn.RNNBase``).
        bidirectional: run a second, backward pass (sequence models only: the backward direction sees the future,
            so it has no meaning for a policy stepping through an episode). Outputs then have 2H features.
    """

    def __init__(
        self,
        cell: CellType,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        layer_norm: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
    ) -> None:
        super().__init__()
        self.cell = check_cell(cell)
        for name, value in (("input_size", input_size), ("hidden_size", hidden_size), ("num_layers", num_layers)):
            if int(value) < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        self.input_size, self.hidden_size, self.num_layers = int(input_size), int(hidden_size), int(num_layers)
        self.bidirectional = bool(bidirectional)
        self.rnn = _MODULES[self.cell](
            self.input_size, self.hidden_size, self.num_layers, dropout=dropout, bidirectional=self.bidirectional
        )
        self.output_size = self.hidden_size * (2 if self.bidirectional else 1)
        self.norm: nn.Module = nn.LayerNorm(self.output_size) if layer_norm else nn.Identity()
        if self.cell == "lstm":
            self._open_forget_gates()

    def _open_forget_gates(self) -> None:
        """Start every LSTM forget gate at sigmoid(0.5) = 0.62 instead of the 0.5 or so of PyTorch's initialisation.

        With PyTorch's initialisation the cell halves its memory at every step: on the T-maze with gamma 0.99 our LSTM
        agents never learned to carry the cue 6 steps (returns 0, 0.45, 0 on three seeds). Keras opens the gates
        further (bias 1, after Jozefowicz et al. 2015); both 0.5 and 1 solved the T-maze on all three seeds, but 1
        slowed RepeatPrevious, where old symbols must be forgotten (0.81 at 30k steps against 0.92 with PyTorch's
        init and 0.93 with 0.5).
        """
        H = self.hidden_size
        with torch.no_grad():
            for name, bias in self.rnn.named_parameters():
                if name.startswith("bias_ih"):
                    bias[H : 2 * H].fill_(LSTM_FORGET_BIAS)  # gate order i, f, g, o
                elif name.startswith("bias_hh"):
                    bias[H : 2 * H].zero_()

    @property
    def state_size(self) -> int:
        """S, the first dimension of the state tensor."""
        per_direction = self.num_layers * (2 if self.bidirectional else 1)
        return per_direction * (2 if self.cell == "lstm" else 1)

    def initial_state(self, batch_size: int, device: torch.device | str | None = None) -> torch.Tensor:
        """The zero state for ``batch_size`` sequences, shape (S, B, H)."""
        if device is None:
            device = next(self.parameters()).device
        return torch.zeros(self.state_size, batch_size, self.hidden_size, device=device)

    def hidden(self, state: torch.Tensor) -> torch.Tensor:
        """The part of a state that is the cell's output ``h`` (drops LSTM's cell ``c``), shape (L, B, H)."""
        return state[: self.state_size // 2] if self.cell == "lstm" else state

    def _to_module(self, state: torch.Tensor) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        if self.cell == "lstm":
            h, c = state.chunk(2, dim=0)
            return h.contiguous(), c.contiguous()
        return state.contiguous()

    @staticmethod
    def _from_module(state: torch.Tensor | tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
        return torch.cat(state, dim=0) if isinstance(state, tuple) else state

    def forward(
        self, x: torch.Tensor, state: torch.Tensor, episode_starts: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Run a chunk, resetting each sequence's state to zero before every step flagged in ``episode_starts``.

        Args:
            x: inputs, (T, B, F).
            state: state before step 0, (S, B, H).
            episode_starts: (T, B) of 0/1; a 1 at (t, b) zeroes b's state before step t is processed.

        Returns:
            outputs (T, B, H) (2H when bidirectional) and the state after step T-1, (S, B, H).
        """
        state, starts = self._check(x, state, episode_starts)
        if x.shape[0] == 1 and not self.bidirectional and not (self.training and self.rnn.dropout > 0):
            return self._step(x, state)
        if not inner_resets(starts):
            out, final = self.rnn(x, self._to_module(state))  # (T, B, F) -> (T, B, H)
            return self.norm(out), self._from_module(final)
        s = split_segments(starts)
        out, final = self._run_segments(x, state, s)
        return out, self._tail_state(x, s, final)

    def outputs(
        self, x: torch.Tensor, state: torch.Tensor, episode_starts: torch.Tensor, segments: Segments | None = None
    ) -> torch.Tensor:
        """Like :meth:`forward` without the final state, which spares a second pass when resets fall inside.

        The PPO update and the sequence heads only need the outputs. Cores that read the same chunk may share
        its ``segments`` (``split_segments(episode_starts)``, or None when :func:`inner_resets` is False).
        """
        state, starts = self._check(x, state, episode_starts)
        if segments is None:
            if not inner_resets(starts):
                return self.norm(self.rnn(x, self._to_module(state))[0])
            segments = split_segments(starts)
        return self._run_segments(x, state, segments)[0]

    def _step(self, x: torch.Tensor, state: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """One step through the cell functions, for rollouts: a third of the cost of an ``nn.RNNBase`` call."""
        L, step = self.num_layers, _CELL_STEPS[self.cell]
        inputs, hs, cs = x[0], [], []
        for layer, weights in enumerate(self.rnn.all_weights):
            if self.cell == "lstm":
                h, c = step(inputs, (state[layer], state[L + layer]), *weights)
                cs.append(c)
            else:
                h = step(inputs, state[layer], *weights)
            hs.append(h)
            inputs = h
        return self.norm(inputs.unsqueeze(0)), torch.stack(hs + cs)

    def _check(
        self, x: torch.Tensor, state: torch.Tensor, episode_starts: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        T, B, _ = x.shape
        if episode_starts.shape != (T, B):
            raise ValueError(f"episode_starts must have shape (T, B) = {(T, B)}, got {tuple(episode_starts.shape)}")
        starts = episode_starts.to(x.dtype)
        return state * (1.0 - starts[0]).view(1, B, 1), starts

    def _run_segments(self, x: torch.Tensor, state: torch.Tensor, s: Segments) -> tuple[torch.Tensor, torch.Tensor]:
        """One padded fused call over all segments; outputs gathered back to (T, B, H).

        Padding sits after each segment, and an RNN is causal, so outputs at real steps are exact. Packed sequences
        would also give exact final states, but on CPU they are 3-10x slower and disable oneDNN's LSTM kernel.
        """
        T, B, F = x.shape
        n_segments = s.lengths.numel()
        padded = x.new_zeros(s.max_length * n_segments, F).index_copy(0, s.rows, x.reshape(T * B, F))
        # Segments after the first of each sequence begin at a reset, so they start from zero.
        initial = state.new_zeros(state.shape[0], n_segments, state.shape[2]).index_copy(1, s.first, state)
        out, final = self.rnn(padded.view(s.max_length, n_segments, F), self._to_module(initial))
        outputs = out.reshape(s.max_length * n_segments, -1).index_select(0, s.rows).view(T, B, -1)
        return self.norm(outputs), self._from_module(final)

    def _tail_state(self, x: torch.Tensor, s: Segments, padded_final: torch.Tensor) -> torch.Tensor:
        """The state after step T-1: exact from the padded call for tails as long as the padding, else re-run.

        A shorter tail segment began at a reset, so it restarts from zero in a second (packed) call over the tails.
        """
        final = padded_final[:, s.last]
        tail_lengths = s.lengths[s.last.cpu()]
        short = torch.nonzero(tail_lengths < s.max_length).flatten()
        if short.numel() == 0:
            return final
        lengths = tail_lengths[short]
        T = x.shape[0]
        steps = torch.arange(int(lengths.max()))
        rows = (T - lengths).view(-1, 1) + steps.view(1, -1)  # (n, T') time index of each tail step
        tails = x[rows.clamp(max=T - 1).t().to(x.device), short.to(x.device)]  # (T', n, F)
        packed = pack_padded_sequence(tails, lengths, enforce_sorted=False)
        zeros = final.new_zeros(final.shape[0], short.numel(), final.shape[2])
        _, tail_final = self.rnn(packed, self._to_module(zeros))
        final = final.clone()
        final[:, short.to(final.device)] = self._from_module(tail_final)
        return final


def make_core(cell: str, input_size: int, hidden_size: int, num_layers: int = 1, **kwargs: Any) -> RecurrentCore:
    """Build a :class:`RecurrentCore` (``kwargs``: its options) from any spelling of a cell; unknown ones raise."""
    return RecurrentCore(check_cell(cell), input_size, hidden_size, num_layers, **kwargs)


# State helpers: states are (S, B, H) tensors for every cell, so these are one-liners that buffers rely on.


def index_state(state: torch.Tensor, index: torch.Tensor | slice | list[int]) -> torch.Tensor:
    """Select batch entries of a state: (S, B, H) -> (S, len(index), H)."""
    return state[:, index]


def cat_states(states: list[torch.Tensor]) -> torch.Tensor:
    """Concatenate states along the batch dimension."""
    return torch.cat(states, dim=1)


def detach_state(state: torch.Tensor) -> torch.Tensor:
    """Cut a state from the graph (between rollout steps and across truncated-BPTT chunks)."""
    return state.detach()


def reset_state(state: torch.Tensor, episode_starts: torch.Tensor) -> torch.Tensor:
    """Zero the state of sequences that start a new episode: (S, B, H) * (1 - starts[B])."""
    return state * (1.0 - episode_starts.to(state.dtype)).view(1, -1, 1)


def step_through(
    core: RecurrentCore, x: torch.Tensor, state: torch.Tensor, episode_starts: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """The reference semantics of ``core(x, state, episode_starts)``: one step at a time, in a Python loop.

    This is what a rollout does step by step; tests and ``scripts/bench_cores.py`` compare the fused call with it.
    """
    no_reset = torch.zeros(1, x.shape[1], device=x.device)
    outputs = []
    for t in range(x.shape[0]):
        out, state = core(x[t : t + 1], reset_state(state, episode_starts[t]), no_reset)
        outputs.append(out)
    return torch.cat(outputs), state
