"""Text for the language heads, all offline: Python's own documentation, names per language, and Dyck-2.

* ``python_docs``: the pydoc topics CPython ships (``pydoc_data.topics``, about 0.46 MB of English), split by
  topic in sorted order into about 80/10/10 % of the characters (train/validation/test), the same every time.
* ``names``: first and last names per locale from Faker's wheel (extra ``[text]``), ten locales in Latin script; a
  name listed under two locales is dropped (its label would be ambiguous); a stratified split, fixed by ``seed``.
* ``dyck2``: strings of two kinds of brackets from a process whose next-symbol distribution given any prefix is
  known exactly (:meth:`Dyck2.next_distribution`), so a model's predictions can be checked against the truth.

Example:
    >>> data = load_python_docs()
    >>> data.name, len(data.train) > len(data.test) > 0
    ('python_docs', True)
"""

from __future__ import annotations

import re
from typing import NamedTuple

import numpy as np

from envs.datasets.base import require_extra

NAME_LOCALES: tuple[str, ...] = tuple(
    ["cs_CZ", "de_DE", "en_US", "es_ES", "fi_FI", "fr_FR", "it_IT", "nl_NL", "pl_PL", "tr_TR"]
)


class TextData(NamedTuple):
    """Documents for language modelling: lists of strings (state resets at each document's start)."""

    name: str
    train: list[str]
    val: list[str]
    test: list[str]


class LabelledText(NamedTuple):
    """Strings with one label each, for text classification."""

    name: str
    X_train: list[str]
    y_train: np.ndarray
    X_test: list[str]
    y_test: np.ndarray


def load_python_docs(fractions: tuple[float, float] = (0.8, 0.9)) -> TextData:
    """CPython's pydoc topics, one document per topic, split in sorted-name order at ``fractions`` of the characters.

    Topic ``t`` goes to train if the characters before it are under ``fractions[0]`` of the total, to validation if
    under ``fractions[1]``, else to test.
    """
    if not 0 < fractions[0] < fractions[1] < 1:
        raise ValueError(f"fractions={fractions!r}: expected 0 < train < train + validation < 1")
    from pydoc_data.topics import topics  # ships with CPython

    names = sorted(topics)
    sizes = np.array([len(topics[name]) for name in names])
    before = (np.cumsum(sizes) - sizes) / sizes.sum()  # share of the characters before each topic
    split = np.searchsorted(np.array(fractions), before, side="right")  # 0 train, 1 validation, 2 test
    docs = [[topics[n] for n, s in zip(names, split, strict=True) if s == part] for part in range(3)]
    return TextData("python_docs", *docs)


def load_names(locales: tuple[str, ...] = NAME_LOCALES, test_fraction: float = 0.2, seed: int = 0) -> LabelledText:
    """Names labelled by the locale that lists them: language identification from spelling alone.

    Every list of first or last names of a locale's person provider counts (``first_names``, ``last_names_male``,
    ``unisex_last_names``, ...; tuples or weighted dicts); names under more than one locale are dropped. The split
    is stratified by locale.
    """
    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction={test_fraction!r}: expected a number in (0, 1)")
    require_extra("faker", "text", "load_names")
    import importlib

    per_locale: dict[str, set[str]] = {}
    for locale in locales:
        try:
            provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        except ImportError:
            raise ValueError(f"locale {locale!r}: Faker has no person provider for it") from None
        lists = [getattr(provider, a) for a in dir(provider) if re.fullmatch(r"(\w+_)?(first|last)_names(_\w+)?", a)]
        per_locale[locale] = {str(n).strip() for names in lists for n in names if str(n).strip()}
    seen: dict[str, int] = {}
    for names in per_locale.values():
        for name in names:
            seen[name] = seen.get(name, 0) + 1
    rng = np.random.default_rng(seed)
    parts: dict[str, tuple[list[str], list[str]]] = {"train": ([], []), "test": ([], [])}
    for locale in locales:
        unique = sorted(n for n in per_locale[locale] if seen[n] == 1)
        order = rng.permutation(len(unique))
        n_test = round(test_fraction * len(unique))
        for rank, index in enumerate(order):
            X, y = parts["test" if rank < n_test else "train"]
            X.append(unique[index])
            y.append(locale)
    (X_train, y_train), (X_test, y_test) = parts["train"], parts["test"]
    return LabelledText("names", X_train, np.array(y_train), X_test, np.array(y_test))


class Dyck2:
    """Dyck-2 strings ending in ``"."``, drawn one symbol at a time with probabilities that depend on the depth.

    At depth 0: end (``"."``) with ``p_end``, else open ``(`` or ``[`` with equal probability; at depths 1 to
    ``max_depth - 1``: open (either kind, equally) with ``p_open``, else close the innermost open bracket; at
    ``max_depth``: close. The next symbol's distribution given any prefix is therefore exact
    (:meth:`next_distribution`); to predict it a model must remember the stack of open brackets.
    """

    symbols = "([)]."

    def __init__(self, p_open: float = 0.5, p_end: float = 0.25, max_depth: int = 6) -> None:
        if not 0 < p_open < 1 or not 0 < p_end < 1:
            raise ValueError(f"p_open={p_open!r}, p_end={p_end!r}: expected probabilities in (0, 1)")
        if int(max_depth) < 1:
            raise ValueError(f"max_depth={max_depth!r}: expected a positive integer")
        self.p_open, self.p_end, self.max_depth = float(p_open), float(p_end), int(max_depth)

    def next_distribution(self, prefix: str) -> dict[str, float]:
        """Probability of each symbol of :attr:`symbols` after ``prefix`` (a valid prefix, without the end)."""
        stack = _stack(prefix)
        if not stack:
            opening = (1.0 - self.p_end) / 2
            return {"(": opening, "[": opening, ")": 0.0, "]": 0.0, ".": self.p_end}
        opening = self.p_open / 2 if len(stack) < self.max_depth else 0.0
        close = {"(": ")", "[": "]"}[stack[-1]]
        probabilities = {"(": opening, "[": opening, ")": 0.0, "]": 0.0, ".": 0.0}
        probabilities[close] = 1.0 - 2 * opening
        return probabilities

    def sample(self, n: int, seed: int = 0) -> list[str]:
        """``n`` strings, each ending in ``"."``, drawn with ``numpy``'s generator seeded with ``seed``.

        Each symbol is ``rng.choice(5, p=...)`` over :meth:`next_distribution`, written out (one uniform draw
        against the cumulative probabilities, as ``choice`` does) with the stack kept as the string grows, so
        100,000 strings take seconds rather than minutes.
        """
        rng = np.random.default_rng(seed)
        cdfs: dict[str, np.ndarray] = {}  # by the stack's depth and innermost bracket: all the distribution reads
        out = []
        for _ in range(n):
            symbols: list[str] = []
            stack = ""
            while not symbols or symbols[-1] != ".":
                key = f"{len(stack)}{stack[-1:]}"
                if key not in cdfs:
                    probabilities = self.next_distribution(stack)
                    cdf = np.cumsum([probabilities[s] for s in self.symbols])
                    cdfs[key] = cdf / cdf[-1]
                symbol = self.symbols[int(cdfs[key].searchsorted(rng.random(), side="right"))]
                stack = stack + symbol if symbol in "([" else stack[:-1] if symbol in ")]" else stack
                symbols.append(symbol)
            out.append("".join(symbols))
        return out


def _stack(prefix: str) -> list[str]:
    """The open brackets after ``prefix``, innermost last; a prefix that is not Dyck-2 raises ``ValueError``."""
    stack: list[str] = []
    for i, symbol in enumerate(prefix):
        if symbol in "([":
            stack.append(symbol)
        elif symbol in ")]" and stack and {"(": ")", "[": "]"}[stack[-1]] == symbol:
            stack.pop()
        else:
            raise ValueError(f"prefix {prefix!r} is not a Dyck-2 prefix: symbol {symbol!r} at {i}")
    return stack


def load_dyck2(
    n_train: int = 100_000,
    n_val: int = 500,
    n_test: int = 500,
    seed: int = 0,
    p_open: float = 0.5,
    p_end: float = 0.25,
    max_depth: int = 6,
) -> TextData:
    """Strings of :class:`Dyck2` with these ``p_open``, ``p_end`` and ``max_depth``, one document each."""
    dyck = Dyck2(p_open, p_end, max_depth)
    texts = dyck.sample(n_train + n_val + n_test, seed)
    return TextData("dyck2", texts[:n_train], texts[n_train : n_train + n_val], texts[n_train + n_val :])
