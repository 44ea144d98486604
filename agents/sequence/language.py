"""``RecurrentLanguageModel``: next-token prediction on an RNN, LSTM or GRU core, a scikit-learn estimator.

Training is stateful truncated backpropagation through time, the char-RNN standard: the training documents, each
after a begin-of-document id, form one stream cut into ``batch_size`` columns; chunks of ``seq_len`` steps run in
order, one fused core call each, and the state carries from one chunk to the next (detached), resetting only at
document starts. Evaluation is exact: whole documents are packed into columns and read in chunks with the state
carried across them, so every token is predicted from its document's entire prefix.

Example:
    >>> lm = RecurrentLanguageModel(hidden_size=16, embedding_dim=8, seq_len=16, batch_size=4, max_steps=20)
    >>> lm = lm.fit(["abcabcabc" * 20])
    >>> lm.bits_per_char("abcabc") < 8
    True
    >>> len(lm.generate("ab", 5, seed=0)) <= 7
    True
"""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any, NamedTuple, Self

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from tqdm.auto import tqdm

from agents.sequence.estimator import Estimator
from agents.sequence.tokens import BOS, PAD, UNK, Tokenizer, check_texts, make_tokenizer, tokenizer_from_state
from agents.sequence.trainer import seeded
from policies.cores import CellType, make_core


class LanguageNetwork(nn.Module):
    """Embedding -> recurrent core -> logits over the vocabulary, with dropout on the embedding and the outputs."""

    def __init__(
        self, n_tokens: int, embedding_dim: int, cell: CellType, hidden_size: int, num_layers: int, dropout: float
    ) -> None:
        super().__init__()
        self.embedding = nn.Embedding(n_tokens, embedding_dim, padding_idx=PAD)
        self.core = make_core(cell, embedding_dim, hidden_size, num_layers, dropout=dropout if num_layers > 1 else 0.0)
        self.dropout = nn.Dropout(dropout)
        self.out = nn.Linear(hidden_size, n_tokens)

    def forward(
        self, ids: torch.Tensor, state: torch.Tensor, episode_starts: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Ids (T, B) from ``state`` (S, B, H), resetting at ``episode_starts`` (T, B) -> logits (T, B, V), state."""
        out, state = self.core(self.dropout(self.embedding(ids)), state, episode_starts)  # (T, B, E) -> (T, B, H)
        return self.out(self.dropout(out)), state


class Packed(NamedTuple):
    """Whole documents packed side by side: ids (L, B), and each step's document and position in it (-1: padding)."""

    ids: np.ndarray
    doc: np.ndarray
    pos: np.ndarray


def pack_documents(documents: list[np.ndarray], n_columns: int) -> Packed:
    """Put each document (already starting with its begin id) whole into the shortest column, longest first."""
    n_columns = max(1, min(n_columns, len(documents)))
    columns: list[list[int]] = [[] for _ in range(n_columns)]
    sizes = np.zeros(n_columns, dtype=np.int64)
    for index in sorted(range(len(documents)), key=lambda i: -len(documents[i])):
        column = int(np.argmin(sizes))
        columns[column].append(index)
        sizes[column] += len(documents[index])
    L = int(sizes.max())
    ids = np.full((L, n_columns), PAD, dtype=np.int64)
    doc, pos = np.full((L, n_columns), -1, dtype=np.int64), np.full((L, n_columns), -1, dtype=np.int64)
    for c, members in enumerate(columns):
        t = 0
        for index in members:
            n = len(documents[index])
            ids[t : t + n, c], doc[t : t + n, c], pos[t : t + n, c] = documents[index], index, np.arange(n)
            t += n
    return Packed(ids, doc, pos)


class RecurrentLanguageModel(Estimator):
    """A character (or subword) language model on an RNN, LSTM or GRU core.

    Args:
        cell, hidden_size, num_layers: the core. embedding_dim: size of each token's learned vector.
        dropout: on the embeddings, the core's outputs and between stacked layers.
        tokenizer: ``"char"`` (the default), ``"subword"`` (byte-level BPE of ``vocab_size`` ids, extra ``[text]``)
            or a :class:`~agents.sequence.tokens.Tokenizer` whose settings are copied and fitted on the texts.
        seq_len: steps per truncated-BPTT chunk. batch_size: parallel columns of the training stream.
        lr, weight_decay, grad_clip: AdamW, with the learning rate annealed to 0 by a cosine over ``max_steps``.
        max_steps: gradient steps. eval_every: with ``validation`` texts at fit, score them every this many steps
            and keep the best weights.
        random_state: seeds initialisation, dropout and sampling (None: a fresh seed). device: torch device.
        warm_start: fitting a fitted model again keeps its vocabulary and weights and trains on from them (unknown
            characters of the new texts map to ``<unk>``), as scikit-learn's ``warm_start`` does.
    """

    module_: LanguageNetwork
    history_: list[dict[str, float]]  # per evaluation: step, learning rate, validation bits per character

    _params = ("hidden_size", "num_layers", "embedding_dim", "seq_len", "batch_size", "max_steps", "eval_every")

    def __init__(
        self,
        cell: CellType = "gru",
        hidden_size: int = 256,
        num_layers: int = 1,
        embedding_dim: int = 64,
        dropout: float = 0.1,
        tokenizer: str | Tokenizer = "char",
        vocab_size: int | None = None,
        seq_len: int = 128,
        batch_size: int = 32,
        lr: float = 3e-3,
        weight_decay: float = 1e-4,
        grad_clip: float = 1.0,
        max_steps: int = 2_000,
        eval_every: int = 250,
        random_state: int | None = 0,
        device: str = "cpu",
        progress: bool = False,
        warm_start: bool = False,
    ) -> None:
        self._store(locals())

    # ----------------------------------------------------------------------------------------------- fitting
    def fit(self, texts: str | list[str], y: Any = None, validation: str | list[str] | None = None) -> Self:
        """Learn the vocabulary and the network from ``texts`` (documents); ``validation`` picks the best weights."""
        self._check_params()
        texts = check_texts(texts)
        fresh = int(np.random.SeedSequence().generate_state(1)[0])
        seed = self.random_state if self.random_state is not None else fresh
        device = torch.device("cuda" if self.device == "auto" and torch.cuda.is_available() else self.device)
        if self.device == "auto" and not torch.cuda.is_available():
            device = torch.device("cpu")
        warm = self.warm_start and hasattr(self, "module_")  # train on from the fitted vocabulary and weights
        if not warm:
            self.tokenizer_ = make_tokenizer(self.tokenizer, self.vocab_size).fit(texts)
            self.n_tokens_ = int(self.tokenizer_.vocabulary_size_)
        stream = np.concatenate([self._with_begin(t) for t in texts])  # (N,)
        columns = len(stream) // self.batch_size
        if columns < 2:
            raise ValueError(f"texts hold {len(stream)} tokens: too few for batch_size={self.batch_size}")
        data = torch.from_numpy(stream[: columns * self.batch_size]).view(self.batch_size, columns).t()  # (L, B)
        with seeded(seed, device):
            self.module_ = self.module_.to(device) if warm else self._build_module().to(device)
            held_out = None if validation is None else check_texts(validation)
            self.history_ = self._train_stream(data.to(device), held_out, warm)
        self.module_.eval()
        return self

    def _check_params(self) -> None:
        for name in self._params:
            value = getattr(self, name)
            if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name}={value!r}: expected a positive integer")
        for name in ("lr", "weight_decay", "grad_clip", "dropout"):
            value = getattr(self, name)
            if (
                not isinstance(value, (int, float))
                or not math.isfinite(value)
                or value < 0
                or (name == "lr" and not value)
            ):
                raise ValueError(f"{name}={value!r}: expected a finite number {'> 0' if name == 'lr' else '>= 0'}")
        if self.dropout >= 1:
            raise ValueError(f"dropout={self.dropout!r}: expected a number in [0, 1)")
        if self.device not in ("cpu", "cuda", "auto") and not str(self.device).startswith("cuda:"):
            raise ValueError(f"device={self.device!r}: expected 'cpu', 'cuda', 'cuda:N' or 'auto'")

    def _build_module(self) -> LanguageNetwork:
        return LanguageNetwork(
            self.n_tokens_, self.embedding_dim, self.cell, self.hidden_size, self.num_layers, self.dropout
        )

    def _with_begin(self, text: str) -> np.ndarray:
        """A document's ids after the begin id: (1 + n,)."""
        return np.asarray([BOS, *self.tokenizer_.encode(text)], dtype=np.int64)

    def _train_stream(self, data: torch.Tensor, validation: list[str] | None, warm: bool) -> list[dict[str, float]]:
        """Stateful truncated BPTT over ``data`` (L, B) for ``max_steps`` chunks; the best weights on validation win
        (with ``warm``, the starting weights compete too, in case training on only makes them worse)."""
        net, T = self.module_, min(self.seq_len, data.shape[0] - 1)
        optimizer = torch.optim.AdamW(net.parameters(), lr=self.lr, weight_decay=self.weight_decay)
        schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=self.max_steps)
        n_chunks = max(1, (data.shape[0] - 1) // T)
        net.train()
        history, best, best_state, state, total = [], math.inf, None, None, 0.0
        if warm and validation is not None:
            best, best_state = self.bits_per_char(validation), copy.deepcopy(net.state_dict())
            net.train()
        for step in tqdm(range(self.max_steps), disable=not self.progress, desc="steps", leave=False):
            chunk = step % n_chunks
            if chunk == 0:  # the stream starts again: its columns' ends do not lead into their beginnings
                state = net.core.initial_state(data.shape[1], data.device)
            x, y = data[chunk * T : (chunk + 1) * T], data[chunk * T + 1 : (chunk + 1) * T + 1]  # (T, B) each
            logits, state = net(x, state, (x == BOS).float())
            loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            if self.grad_clip:
                nn.utils.clip_grad_norm_(net.parameters(), self.grad_clip)
            optimizer.step()
            schedule.step()
            state, total = state.detach(), total + float(loss.detach())
            if (step + 1) % self.eval_every == 0 or step + 1 == self.max_steps:
                scores = {"step": step + 1, "train/loss": total / (step % self.eval_every + 1)}
                if validation is not None:
                    scores["val/bits_per_char"] = self.bits_per_char(validation)
                    net.train()
                history.append(scores)
                total = 0.0
                if validation is not None and scores["val/bits_per_char"] < best:
                    best, best_state = scores["val/bits_per_char"], copy.deepcopy(net.state_dict())
        if best_state is not None:
            net.load_state_dict(best_state)
        return history

    # -------------------------------------------------------------------------------------------- evaluation
    @torch.no_grad()
    def log_probabilities(self, texts: str | list[str], chunk: int = 512) -> list[np.ndarray]:
        """Per document, log p of every next token given its whole prefix: (n_i + 1, V) float32 each.

        Row t is the distribution of token t given the document's tokens before it; the last row, after the
        whole document, gives the probability that it ends (the begin id, 2) among the others.
        """
        return self._run(check_texts(texts), chunk, full=True)

    def token_nats(self, texts: str | list[str], chunk: int = 512) -> list[np.ndarray]:
        """Per document, -ln p of each of its tokens given its whole prefix: (n_i,) float64 each."""
        return self._run(check_texts(texts), chunk, full=False)

    @torch.no_grad()
    def _run(self, texts: list[str], chunk: int, full: bool) -> list[np.ndarray]:
        """Pack the documents into columns and read them in chunks, carrying the state from chunk to chunk."""
        self._check_fitted()
        documents = [self._with_begin(t) for t in texts]
        packed = pack_documents(documents, 64)
        L, B = packed.ids.shape
        ids = torch.from_numpy(packed.ids).to(self._device)
        ends = packed.pos == np.array([len(d) - 1 for d in documents])[packed.doc]  # a document's last step
        targets = np.where((packed.pos < 0) | ends, PAD, np.roll(packed.ids, -1, axis=0))  # (L, B) next token
        outputs = np.zeros((L, B, self.n_tokens_) if full else (L, B), dtype=np.float32 if full else np.float64)
        net, state = self.module_.eval(), self.module_.core.initial_state(B, self._device)
        for begin in range(0, L, chunk):
            x = ids[begin : begin + chunk]  # (T, B)
            logits, state = net(x, state, (x == BOS).float())
            log_p = torch.log_softmax(logits.float(), dim=-1)  # (T, B, V)
            if full:
                outputs[begin : begin + chunk] = log_p.cpu().numpy()
            else:
                y = torch.from_numpy(targets[begin : begin + chunk]).to(self._device)
                outputs[begin : begin + chunk] = -log_p.gather(-1, y.unsqueeze(-1)).squeeze(-1).double().cpu().numpy()
        keep = (packed.doc >= 0) & (full | ~ends)  # (L, B): full rows for every step, nats only before the end
        doc, pos = packed.doc[keep], packed.pos[keep]
        order = np.lexsort((pos, doc))  # by document, then position: each document's rows in order
        sizes = np.bincount(doc, minlength=len(documents))
        return np.split(outputs[keep][order], np.cumsum(sizes)[:-1])

    def log_likelihood(self, texts: str | list[str]) -> np.ndarray:
        """Per document, ln p of the whole text: each token given its prefix, then the document's end. (N,) float64.

        The end counts (the begin id after the last token), so a text is scored as a whole, not as the prefix of a
        longer one: what a generative classifier (:class:`LanguageModelClassifier`) compares across classes.
        """
        texts = check_texts(texts)
        out = np.empty(len(texts))
        for i, (text, log_p) in enumerate(zip(texts, self.log_probabilities(texts), strict=True)):
            ids = np.asarray([*self.tokenizer_.encode(text), BOS])  # the tokens, then the end
            out[i] = log_p[np.arange(len(ids)), ids].astype(np.float64).sum()
        return out

    def bits_per_char(self, texts: str | list[str]) -> float:
        """Total nats of the texts' tokens / ln 2 / their characters: comparable across tokenizers."""
        texts = check_texts(texts)
        characters = sum(len(t) for t in texts)
        if characters == 0:
            raise ValueError("texts hold no characters to score")
        return float(sum(n.sum() for n in self.token_nats(texts)) / math.log(2) / characters)

    def perplexity(self, texts: str | list[str]) -> float:
        """exp of the mean nats per token (per character for the character tokenizer)."""
        nats = np.concatenate(self.token_nats(texts))
        if nats.size == 0:
            raise ValueError("texts hold no tokens to score")
        return float(np.exp(nats.mean()))

    def score(self, texts: str | list[str], y: Any = None) -> float:
        """Minus bits per character: greater is better, as scikit-learn's model selection expects."""
        return -self.bits_per_char(texts)

    # -------------------------------------------------------------------------------------------- generation
    @torch.no_grad()
    def generate(
        self, prompt: str, n: int, temperature: float = 1.0, top_k: int | None = None, seed: int | None = None
    ) -> str:
        """The prompt and up to ``n`` tokens sampled after it (fewer if the model ends the document).

        The prompt runs through the core as the start of a document in one call; its final state carries into the
        sampling, one step at a time. ``top_k`` keeps only the k likeliest tokens; padding and unknown never come.
        """
        self._check_fitted()
        if not isinstance(prompt, str):
            raise TypeError(f"prompt must be a string, got {type(prompt).__name__}")
        if not isinstance(n, int) or n < 0:
            raise ValueError(f"n={n!r}: expected a non-negative integer")
        if not temperature > 0:
            raise ValueError(f"temperature={temperature!r}: expected > 0")
        if top_k is not None and (not isinstance(top_k, int) or top_k < 1):
            raise ValueError(f"top_k={top_k!r}: expected a positive integer or None")
        net, device = self.module_.eval(), self._device
        fresh = int(np.random.SeedSequence().generate_state(1)[0])
        generator = torch.Generator(device).manual_seed(fresh if seed is None else seed % 2**63)
        x = torch.from_numpy(self._with_begin(prompt)).to(device).view(-1, 1)  # (T, 1)
        starts = torch.zeros(x.shape, device=device)
        starts[0] = 1.0
        logits, state = net(x, net.core.initial_state(1, device), starts)
        last, sampled = logits[-1, 0], []  # (V,)
        no_reset = torch.zeros(1, 1, device=device)
        for _ in range(n):
            last = last.float() / temperature
            last[[PAD, UNK]] = -math.inf
            if top_k is not None and top_k < len(last):
                last[last < torch.topk(last, top_k).values[-1]] = -math.inf
            token = int(torch.multinomial(torch.softmax(last, -1), 1, generator=generator))
            if token == BOS:  # the model ended the document
                break
            sampled.append(token)
            logits, state = net(torch.tensor([[token]], device=device), state, no_reset)
            last = logits[-1, 0]
        return prompt + self.tokenizer_.decode(sampled)

    # ----------------------------------------------------------------------------------------------- storage
    def save(self, path: str | Path) -> None:
        """Parameters, the fitted vocabulary and the weights, in a file :meth:`load` reads with ``weights_only``."""
        self._check_fitted()
        params = self.get_params(deep=False)
        if isinstance(params["tokenizer"], Tokenizer):
            params["tokenizer"] = type(params["tokenizer"]).kind
        tokenizer = {
            "kind": self.tokenizer_.kind,
            "params": self.tokenizer_.get_params(),
            "state": self.tokenizer_.get_state(),
        }
        state = {k: v.cpu() for k, v in self.module_.state_dict().items()}
        payload = {"class": type(self).__name__, "params": params, "tokenizer": tokenizer, "state_dict": state}
        torch.save(payload | {"n_tokens": self.n_tokens_, "history": self.history_}, path)

    @classmethod
    def load(cls, path: str | Path, policy: Any = None) -> Self:
        """Rebuild a saved model on the device it was fitted for (CPU if that is not here)."""
        payload = torch.load(path, weights_only=True)
        if payload["class"] != cls.__name__:
            raise ValueError(f"{path} holds a {payload['class']}, not a {cls.__name__}")
        model = cls(**payload["params"])
        info = payload["tokenizer"]
        model.tokenizer_ = tokenizer_from_state(info["kind"], info["params"], info["state"])
        model.n_tokens_, model.history_ = payload["n_tokens"], payload["history"]
        model.module_ = model._build_module()
        model.module_.load_state_dict(payload["state_dict"])
        on_gpu = str(model.device).startswith("cuda") or model.device == "auto"
        model.module_.to("cuda" if on_gpu and torch.cuda.is_available() else "cpu").eval()
        return model
