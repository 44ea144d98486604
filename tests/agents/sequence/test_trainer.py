"""The supervised trainer: early stopping restores the best weights, seeding, config checks; metrics vs hand values."""

import dataclasses
import math

import numpy as np
import pytest
import torch
from torch import nn

from agents.sequence.metrics import forecast_metrics, r2_score
from agents.sequence.trainer import SequenceTrainer, TrainerConfig, evaluate_batches


def mse_step(module, batch):
    x, y = batch
    loss = ((module(x).squeeze(-1) - y) ** 2).mean()
    return loss, {"mse": loss.detach()}


def linear_data(n=64, sign=1.0, seed=0):
    x = torch.randn(n, 3, generator=torch.Generator().manual_seed(seed))
    return x, sign * x.sum(-1)


def test_early_stopping_restores_the_best_weights_and_waits_patience_epochs():
    """Validation targets are the negated training targets: every step on train makes val worse than the start."""
    torch.manual_seed(0)
    model = nn.Linear(3, 1)
    nn.init.zeros_(model.weight)
    nn.init.zeros_(model.bias)
    config = TrainerConfig(lr=0.05, patience=4, max_epochs=50, schedule="constant")
    history = SequenceTrainer(config).fit(model, mse_step, linear_data(), linear_data(sign=-1.0, seed=1))
    assert history.best_epoch == -1  # the initial weights won
    assert len(history.epochs) == config.patience
    restored = evaluate_batches(model, mse_step, linear_data(sign=-1.0, seed=1))
    assert restored["loss"] == pytest.approx(float((linear_data(sign=-1.0, seed=1)[1] ** 2).mean()), rel=1e-6)
    assert torch.count_nonzero(model.weight) == 0
    assert restored["rmse"] == pytest.approx(math.sqrt(restored["mse"]))


def test_training_lowers_the_loss_and_is_seeded():
    def run():
        torch.manual_seed(0)
        model = nn.Linear(3, 1)
        history = SequenceTrainer(TrainerConfig(lr=0.05, max_epochs=20, seed=3)).fit(model, mse_step, linear_data())
        return model, history

    (first, history), (second, _) = run(), run()
    assert history.epochs[-1]["train/loss"] < 0.1 * history.epochs[0]["train/loss"]
    assert all(torch.equal(a, b) for a, b in zip(first.parameters(), second.parameters(), strict=True))


def test_refit_replays_the_winning_epochs_learning_rates():
    """Refit = a fresh run over all data for best_epoch + 1 epochs, at the learning rates those epochs had."""
    config = TrainerConfig(lr=0.05, max_epochs=6, patience=0, schedule="constant")
    torch.manual_seed(0)
    history = SequenceTrainer(config).fit(nn.Linear(3, 1), mse_step, linear_data(), linear_data(seed=1))
    history.best_epoch = 2
    torch.manual_seed(1)
    refitted = nn.Linear(3, 1)
    SequenceTrainer(config).refit(refitted, mse_step, linear_data(), history)
    torch.manual_seed(1)
    reference = nn.Linear(3, 1)
    SequenceTrainer(dataclasses.replace(config, max_epochs=3)).fit(reference, mse_step, linear_data())
    assert torch.equal(refitted.weight, reference.weight)
    for scalars in history.epochs:
        scalars["lr"] = 0.0
    torch.manual_seed(1)
    frozen = nn.Linear(3, 1)
    SequenceTrainer(config).refit(frozen, mse_step, linear_data(), history)
    torch.manual_seed(1)
    assert torch.equal(frozen.weight, nn.Linear(3, 1).weight)


def test_plateau_schedule_halves_the_learning_rate():
    model = nn.Linear(3, 1)
    config = TrainerConfig(lr=0.05, patience=6, max_epochs=30)
    history = SequenceTrainer(config).fit(model, mse_step, linear_data(), linear_data(sign=-1.0, seed=1))
    assert history.epochs[-1]["lr"] < config.lr


def test_frozen_module_is_rejected():
    model = nn.Linear(3, 1).requires_grad_(False)
    with pytest.raises(ValueError, match="no trainable parameters"):
        SequenceTrainer().fit(model, mse_step, linear_data())


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"schedule": "step"}, "Unknown schedule 'step'"),
        ({"val_fraction": 1.0}, r"val_fraction must be in \[0, 1\)"),
        ({"lr": 0.0}, "lr must be positive"),
        ({"batch_size": 0}, "batch_size must be positive"),
    ],
)
def test_config_checks(kwargs, message):
    with pytest.raises(ValueError, match=message):
        TrainerConfig(**kwargs)


def test_forecast_metrics_against_hand_values():
    y_train = np.array([1.0, 2.0, 4.0, 3.0])  # naive (season 1) errors 1, 2, 1: mean 4/3
    y_true, y_pred = np.array([2.0, 4.0]), np.array([3.0, 2.0])
    metrics = forecast_metrics(y_true, y_pred, y_train)
    assert metrics["mae"] == pytest.approx(1.5)
    assert metrics["rmse"] == pytest.approx(math.sqrt(2.5))
    assert metrics["mape"] == pytest.approx(50.0)  # (1/2 + 2/4) / 2
    assert metrics["smape"] == pytest.approx(100 * (2 / 5 + 4 / 6) / 2)
    assert metrics["mase"] == pytest.approx(1.5 / (4 / 3))
    assert math.isnan(forecast_metrics(y_true, y_pred)["mase"])
    with pytest.raises(ValueError, match="same shape"):
        forecast_metrics(y_true, y_pred[:1])


def test_r2_score():
    y = np.array([1.0, 2.0, 3.0])
    assert r2_score(y, y) == 1.0
    assert r2_score(y, np.full(3, 2.0)) == 0.0


def test_max_steps_bounds_training_on_large_sets():
    config = TrainerConfig(batch_size=16, max_epochs=100, max_steps=10, patience=0)
    history = SequenceTrainer(config).fit(nn.Linear(3, 1), mse_step, linear_data(n=64))
    assert len(history.epochs) == 3  # 4 steps per epoch: 12 >= 10 after the third
