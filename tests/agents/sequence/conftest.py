"""A classifier fitted once for the tests of the classifier and of the shared estimator base."""

import pytest

from agents.sequence import RecurrentClassifier
from tests.agents.sequence.tasks import FAST, sign_task


@pytest.fixture(scope="session")
def fitted_classifier():
    """Read-only: tests predict, score and save with it, but never refit it or change its parameters."""
    X, y = sign_task()
    return RecurrentClassifier(**FAST).fit(X, y), X, y
