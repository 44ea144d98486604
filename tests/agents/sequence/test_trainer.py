"""The supervised trainer: early stopping restores the best weights, refit, seeding, schedules; config checks."""

import math

import pytest
import torch
from pydantic import ValidationError
from torch import nn

from agents.sequence.trainer import SequenceTrainer, TrainerConfig, evaluate_batches, one_line, seeded


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
    config = TrainerConfig(lr=0.05, patience=4, max_epochs=50, min_steps=0, schedule="constant")
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


def test_seeded_draws_the_same_numbers_and_restores_the_callers_generator():
    torch.manual_seed(7)
    expected_next = torch.rand(3)
    torch.manual_seed(7)
    with seeded(3, torch.device("cpu")):
        inside = torch.rand(3)
    with seeded(3, torch.device("cpu")):
        assert torch.equal(torch.rand(3), inside)
    assert torch.equal(torch.rand(3), expected_next)  # as if the blocks never ran


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
    SequenceTrainer(TrainerConfig(**config.model_dump() | {"max_epochs": 3})).fit(reference, mse_step, linear_data())
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
    config = TrainerConfig(lr=0.05, patience=6, max_epochs=30, min_steps=0)
    history = SequenceTrainer(config).fit(model, mse_step, linear_data(), linear_data(sign=-1.0, seed=1))
    assert history.epochs[-1]["lr"] < config.lr


def test_frozen_module_is_rejected():
    model = nn.Linear(3, 1).requires_grad_(False)
    with pytest.raises(ValueError, match="no trainable parameters"):
        SequenceTrainer().fit(model, mse_step, linear_data())


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"schedule": "step"}, "schedule='step': expected 'plateau', 'cosine' or 'constant'"),
        ({"val_fraction": 1.0}, "val_fraction=1.0: expected < 1"),
        ({"val_fraction": -0.1}, "val_fraction=-0.1: expected >= 0"),
        ({"lr": 0.0}, "lr=0.0: expected > 0"),
        ({"lr": math.inf}, "lr=inf: expected a finite number"),
        ({"weight_decay": -1e-4}, "weight_decay=-0.0001: expected >= 0"),
        ({"batch_size": 0}, "batch_size=0: expected >= 1"),
        ({"batch_size": 1.5}, "batch_size=1.5: expected a valid integer, got a number with a fractional part"),
        ({"max_epochs": 0}, "max_epochs=0: expected >= 1"),
        ({"max_steps": 0}, "max_steps=0: expected >= 1"),
        ({"patience": -1}, "patience=-1: expected >= 0"),
        ({"grad_clip": -1.0}, "grad_clip=-1.0: expected >= 0"),
        ({"device": "cuda:x"}, "device='cuda:x': expected 'cpu', 'cuda', 'cuda:N' or 'auto'"),
        ({"log_dir": 3}, "log_dir=3: expected a valid string"),
        ({"learning_rate": 1e-3}, "learning_rate=0.001: not a field of TrainerConfig"),
        ({"lr": -1, "patience": -1}, "lr=-1: expected > 0; patience=-1: expected >= 0"),
    ],
)
def test_config_checks(kwargs, message):
    with pytest.raises(ValueError, match="validation error") as info:  # pydantic's ValidationError is a ValueError
        TrainerConfig(**kwargs)
    assert isinstance(info.value, ValidationError)
    assert one_line(info.value) == message


def test_config_is_frozen_and_accepts_every_device_form():
    config = TrainerConfig(device="cuda:1")
    assert config.device == "cuda:1"
    assert TrainerConfig(device="auto").torch_device.type in ("cpu", "cuda")
    assert TrainerConfig().torch_device == torch.device("cpu")
    with pytest.raises(ValidationError, match="frozen"):
        config.lr = 1.0
    assert config == TrainerConfig(device="cuda:1")


def test_max_steps_bounds_training_on_large_sets():
    config = TrainerConfig(batch_size=16, max_epochs=100, max_steps=10, patience=0)
    history = SequenceTrainer(config).fit(nn.Linear(3, 1), mse_step, linear_data(n=64))
    assert len(history.epochs) == 3  # 4 steps per epoch: 12 >= 10 after the third


def test_early_stopping_waits_min_steps_and_the_budget_scales_with_the_data():
    """A few samples get many epochs; patience counts only once ``min_steps`` gradient steps are done."""
    torch.manual_seed(0)
    model = nn.Linear(3, 1)
    config = TrainerConfig(lr=0.05, patience=2, min_steps=40, batch_size=16, schedule="constant")
    history = SequenceTrainer(config).fit(model, mse_step, linear_data(32), linear_data(32, sign=-1.0, seed=1))
    assert history.best_epoch == -1  # every step makes validation worse
    assert len(history.epochs) == 20  # 2 steps an epoch: 40 steps, then patience is long spent
    assert SequenceTrainer(TrainerConfig(max_steps=1000, batch_size=16)).epoch_budget(36) == 334
    assert SequenceTrainer(TrainerConfig(max_steps=1000, batch_size=16)).epoch_budget(10_000) == 2
    assert SequenceTrainer(TrainerConfig(max_steps=1000, max_epochs=5)).epoch_budget(36) == 5
