"""Language on the recurrent cores: language models beside an n-gram, exact Dyck-2 checks, names by language.

Three jobs, each a markdown table over seeds, with wall and CPU seconds per fit:

* ``python_docs`` (language model): test bits per character of :class:`RecurrentLanguageModel` beside the best
  add-k character n-gram (order and k chosen on the validation split), and samples from a few prompts;
* ``dyck2`` (language model): the model's next-symbol distribution against the exact one at every test position
  (total variation and largest absolute difference, mean and maximum);
* ``names`` (classification): test accuracy of :class:`LanguageModelClassifier` (a character language model per
  locale) and of ``CharTokenizer() -> RecurrentClassifier(embedding_dim=...)``, beside a bag of character n-grams
  with logistic regression.

    python scripts/text.py --dataset python_docs --seeds 3
    python scripts/text.py --dataset names --seeds 3
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
from sklearn.pipeline import make_pipeline

from agents.experiment.cli import check_arguments, check_keys
from agents.sequence import RecurrentClassifier
from agents.sequence.baselines import CharNGramLanguageModel, char_ngram_classifier
from agents.sequence.generative import LanguageModelClassifier, default_language_model
from agents.sequence.language import RecurrentLanguageModel
from agents.sequence.tokens import CharTokenizer
from envs.datasets import TEXT, Dyck2, LabelledText, TextData, load_dataset

# Settings per data set, measured on a 2-core machine with one torch thread (docs/language.md); --set overrides.
DEFAULTS: dict[str, dict[str, Any]] = {
    "python_docs": {
        "hidden_size": 256,
        "embedding_dim": 64,
        "seq_len": 128,
        "batch_size": 32,
        "max_steps": 800,
        "eval_every": 200,
    },
    "dyck2": {
        "hidden_size": 128,
        "embedding_dim": 16,
        "seq_len": 64,
        "batch_size": 32,
        "max_steps": 12000,
        "eval_every": 1000,
        "dropout": 0.0,
    },
    "names": {
        "embedding_dim": 32,
        "hidden_size": 128,
        "bidirectional": True,
        "pooling": "max",
        "dropout": 0.5,
        "batch_size": 64,
        "max_steps": 1500,
    },
}
PROMPTS: tuple[str, ...] = ("The ", "Return ", "class ", "If the ", "A list ")


@dataclass(frozen=True)
class TextConfig:
    """What to train and how to report it."""

    dataset: str = "python_docs"
    """``"python_docs"`` or ``"dyck2"`` (language models), ``"names"`` (classification)."""
    seeds: tuple[int, ...] = (0, 1, 2)
    """One fit per seed; the table shows mean ± std and every seed."""
    estimator: Mapping[str, Any] = field(default_factory=dict)
    """Overrides of the estimator's parameters over :data:`DEFAULTS`, e.g. ``{"max_steps": 50}``; for names, each key
    goes to every model that takes it (the classifier, the language model per locale)."""
    data: Mapping[str, Any] = field(default_factory=dict)
    """Arguments of the data set's loader, e.g. ``{"n_train": 500}`` for dyck2."""
    samples: int = 200
    """Characters sampled after each prompt (python_docs; 0: none)."""
    device: str = "cpu"
    """Torch device of the networks."""


class Fit(NamedTuple):
    """One seed's fit: its scores, wall-clock seconds and CPU seconds (the process's)."""

    scores: dict[str, float]
    seconds: float
    cpu: float
    model: Any


def check_config(config: TextConfig) -> None:
    """Every setting checked before any data is loaded or any network built."""
    if config.dataset not in TEXT:
        raise ValueError(f"dataset={config.dataset!r}: expected one of {', '.join(map(repr, TEXT))}")
    if config.dataset == "names":  # a key goes to each of the two models that takes it
        known = [*_parameters(RecurrentClassifier), *_parameters(RecurrentLanguageModel)]
        check_keys(config.estimator, known, "--set for RecurrentClassifier or RecurrentLanguageModel")
    else:
        check_arguments(config.estimator, RecurrentLanguageModel, "--set for RecurrentLanguageModel")
    check_arguments(config.data, TEXT[config.dataset], f"--data for {config.dataset}")
    if config.dataset == "dyck2":
        process = {k: v for k, v in config.data.items() if k in ("p_open", "p_end", "max_depth")}
        Dyck2(**process)  # its own checks, before anything trains
    if not config.seeds or config.samples < 0:
        raise ValueError(f"seeds={config.seeds!r}, samples={config.samples!r}: expected seeds and samples >= 0")


def timed(fit: Callable[[], Any]) -> tuple[Any, float, float]:
    """``fit()``, its wall-clock seconds and its CPU seconds."""
    begin, cpu = time.perf_counter(), time.process_time()
    result = fit()
    return result, time.perf_counter() - begin, time.process_time() - cpu


def _parameters(estimator: type) -> list[str]:
    return list(estimator().get_params(deep=False))


def _chosen(config: TextConfig, estimator: type) -> dict[str, Any]:
    """The ``--set`` keys that ``estimator`` takes."""
    return {k: v for k, v in config.estimator.items() if k in _parameters(estimator)}


def settings(config: TextConfig, seed: int, estimator: type = RecurrentLanguageModel) -> dict[str, Any]:
    """``estimator``'s parameters: :data:`DEFAULTS`, the seed and device, and the ``--set`` keys it takes."""
    return {**DEFAULTS[config.dataset], "random_state": seed, "device": config.device, **_chosen(config, estimator)}


def fit_language_model(config: TextConfig, data: TextData, seed: int) -> Fit:
    """One language model on ``data.train`` (validation picks its best weights), scored on the test split."""
    lm = RecurrentLanguageModel(**settings(config, seed))
    _, seconds, cpu = timed(lambda: lm.fit(data.train, validation=data.val))
    scores = {"test bits/char": lm.bits_per_char(data.test), "val bits/char": lm.bits_per_char(data.val)}
    if data.name == "dyck2":
        scores |= dyck_errors(lm, Dyck2(**_process(config)), data.test)
    line = ", ".join(f"{k} {v:.4f}" for k, v in scores.items())
    print(f"{data.name} seed {seed}: {line} in {seconds:.0f} s ({cpu:.0f} s of CPU)", flush=True)
    return Fit(scores, seconds, cpu, lm)


def _process(config: TextConfig) -> dict[str, Any]:
    return {k: v for k, v in config.data.items() if k in ("p_open", "p_end", "max_depth")}


def dyck_errors(lm: RecurrentLanguageModel, dyck: Dyck2, texts: list[str]) -> dict[str, float]:
    """How far the model's next-symbol distribution is from the exact one over every position of ``texts``.

    Total variation counts the mass the model puts on ids that are not symbols (padding, unknown, begin).
    """
    ids = [lm.tokenizer_.encode(s)[0] for s in dyck.symbols]
    tv, largest = [], []
    for text, log_p in zip(texts, lm.log_probabilities(texts), strict=True):
        model = np.exp(log_p[: len(text)].astype(np.float64))  # (n, V): rows after each prefix, not after the end
        exact = np.array([[dyck.next_distribution(text[:t])[s] for s in dyck.symbols] for t in range(len(text))])
        difference = np.abs(model[:, ids] - exact)  # (n, 5)
        elsewhere = 1.0 - model[:, ids].sum(1)
        tv.append(0.5 * (difference.sum(1) + elsewhere))
        largest.append(difference.max(1))
    tv_all, largest_all = np.concatenate(tv), np.concatenate(largest)
    return {
        "mean TV": float(tv_all.mean()),
        "max TV": float(tv_all.max()),
        "mean max abs diff": float(largest_all.mean()),
        "max abs diff": float(largest_all.max()),
    }


def language_table(config: TextConfig) -> str:
    """Language models per seed beside the n-gram baseline; for python_docs, samples after :data:`PROMPTS`."""
    data = load_dataset(config.dataset, **config.data)
    assert isinstance(data, TextData)
    fits = [fit_language_model(config, data, seed) for seed in config.seeds]
    rows = _rows(fits, str(config.estimator.get("cell", "gru")).upper())
    ngram, seconds, cpu = timed(lambda: CharNGramLanguageModel().fit(data.train, data.val))
    name = f"{ngram.order_}-gram, add-{ngram.k_:g} (chosen on validation)"
    row = f"| {name} | {ngram.bits_per_char(data.test):.4f} | | {seconds:.1f} ({cpu:.1f}) |"
    table = "\n".join([*rows, row])
    if config.dataset == "dyck2":
        dyck = Dyck2(**_process(config))
        bits = sum(-np.log2(dyck.next_distribution(s[:t])[s[t]]) for s in data.test for t in range(len(s)))
        table += f"\n| the exact process (the least possible) | {bits / sum(map(len, data.test)):.4f} | | |"
    if config.dataset == "python_docs" and config.samples:
        lm = fits[0].model
        samples = [lm.generate(p, config.samples, temperature=0.8, seed=i) for i, p in enumerate(PROMPTS)]
        heading = f"Samples (model of seed {config.seeds[0]}, temperature 0.8, sampling seeds 0 to {len(PROMPTS) - 1})"
        table += f"\n\n{heading}:\n\n" + "\n\n".join(map(repr, samples))
    return table


def _rows(fits: list[Fit], name: str) -> list[str]:
    """Header and one row per score: mean ± std over seeds, every seed, and mean fit seconds, wall (CPU)."""
    keys = list(fits[0].scores)
    header = ["| model | " + " | ".join(f"{k} (mean ± std)" for k in keys) + " | per seed | fit s, wall (CPU) |"]
    header.append("| " + " | ".join(["---"] * (len(keys) + 3)) + " |")
    values = {k: np.array([f.scores[k] for f in fits]) for k in keys}
    first = keys[0]
    per_seed = ", ".join(f"{v:.4f}" for v in values[first])
    timing = f"{np.mean([f.seconds for f in fits]):.0f} ({np.mean([f.cpu for f in fits]):.0f})"
    cells = " | ".join(f"{values[k].mean():.4f} ± {values[k].std():.4f}" for k in keys)
    return [*header, f"| {name} | {cells} | {per_seed} | {timing} |"]


def names_table(config: TextConfig) -> str:
    """Both recurrent classifiers on the names per seed, beside the bag of character n-grams."""
    data = load_dataset("names", **config.data)
    assert isinstance(data, LabelledText)
    generative = [_fit_names(seed, _generative(config, seed), data) for seed in config.seeds]
    discriminative = [_fit_names(seed, _discriminative(config, seed), data) for seed in config.seeds]
    cell = str(generative[0].model.models_[0].cell).upper()
    rows = _rows(generative, f"a character {cell} per locale (LanguageModelClassifier)")
    rows += _rows(discriminative, "characters -> GRU (RecurrentClassifier)")[2:]
    baseline, seconds, cpu = timed(lambda: char_ngram_classifier().fit(data.X_train, data.y_train))
    score = baseline.score(data.X_test, data.y_test)
    rows.append(f"| char 1-4-grams, TF-IDF + logistic regression | {score:.4f} | | {seconds:.1f} ({cpu:.1f}) |")
    return "\n".join(rows)


def _generative(config: TextConfig, seed: int) -> LanguageModelClassifier:
    """The language model per locale: :func:`default_language_model` with the ``--set`` keys it takes."""
    language_model = default_language_model().set_params(
        device=config.device, **_chosen(config, RecurrentLanguageModel)
    )
    return LanguageModelClassifier(language_model, random_state=seed)


def _discriminative(config: TextConfig, seed: int) -> Any:
    """Characters into the classifier: :class:`CharTokenizer` then ``RecurrentClassifier(**DEFAULTS["names"])``."""
    return make_pipeline(CharTokenizer(), RecurrentClassifier(**settings(config, seed, RecurrentClassifier)))


def _fit_names(seed: int, model: Any, data: LabelledText) -> Fit:
    _, seconds, cpu = timed(lambda: model.fit(data.X_train, data.y_train))
    accuracy = float(model.score(data.X_test, data.y_test))
    name = type(model).__name__ if not hasattr(model, "steps") else type(model.steps[-1][1]).__name__
    line = f"test accuracy {accuracy:.4f} in {seconds:.0f} s ({cpu:.0f} s of CPU)"
    print(f"names seed {seed}, {name}: {line}", flush=True)
    return Fit({"test accuracy": accuracy}, seconds, cpu, model)


def text_table(config: TextConfig) -> str:
    """The table of ``config.dataset``'s job."""
    return names_table(config) if config.dataset == "names" else language_table(config)
