"""A model card for a finished run: ``README.md`` in the run directory, as rl-zoo3 writes one before an upload.

The card opens with the metadata block that ``huggingface_sb3`` and rl-zoo3 put on a model hub page (library,
tags, ``mean_reward`` as "mean +/- std"), then says what was trained on what, how well it did, how to load and
evaluate it, and every setting it was trained with.

Example:
    >>> card = model_card(RunConfig(env="pomdp/TMaze-v0"), {"mean_return": 1.0, "std_return": 0.0, "episodes": 20,
    ...                    "success_rate": 1.0, "mean_length": 9.0, "step": 30000, "train_time": 40.0})
    >>> card.splitlines()[0], "value: 1.00 +/- 0.00" in card
    ('---', True)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from agents.experiment.builders import model_class
from agents.experiment.config import RunConfig, config_to_dict
from agents.experiment.evaluation import format_return, return_decimals
from agents.experiment.run_dir import MODEL_CARD_FILE, write_text

LIBRARIES = {"agents": "recurrent-agents", "stable_baselines3": "stable-baselines3", "sb3_contrib": "sb3-contrib"}


def _metadata(config: RunConfig, results: dict[str, Any]) -> str:
    mean, std = results["mean_return"], results["std_return"]
    metric = {"type": "mean_reward", "value": f"{mean:.2f} +/- {std:.2f}", "name": "mean_reward", "verified": False}
    data = {
        "library_name": "stable-baselines3",
        "tags": [config.env, "deep-reinforcement-learning", "reinforcement-learning", "stable-baselines3"],
        "model-index": [
            {
                "name": model_class(config).__name__,
                "results": [
                    {
                        "task": {"type": "reinforcement-learning", "name": "reinforcement-learning"},
                        "dataset": {"name": config.env, "type": config.env},
                        "metrics": [metric],
                    }
                ],
            }
        ],
    }
    return "---\n" + yaml.safe_dump(data, sort_keys=False) + "---\n"


def _results_table(config: RunConfig, results: dict[str, Any]) -> str:
    success = results.get("success_rate")
    reached = results.get("threshold_step")
    threshold = results.get("threshold")
    decimals = return_decimals(config.env)
    rows = [
        ("return (deterministic)", format_return(results["mean_return"], results["std_return"], decimals)),
        ("episodes", str(results["episodes"])),
        ("success rate", "-" if success is None else f"{success:.0%}"),
        ("episode length", f"{results['mean_length']:.1f}"),
        ("environment steps", f"{results['step']:,}"),
        ("training time", f"{results['train_time']:.0f} s (evaluations excluded)"),
    ]
    if threshold is not None:
        when = "not reached" if reached is None else f"first reached at step {reached:,}"
        rows.append((f"threshold {threshold:g}", when))
    return "| metric | value |\n| --- | --- |\n" + "\n".join(f"| {name} | {value} |" for name, value in rows)


def model_card(config: RunConfig, results: dict[str, Any], run_dir: str | Path = "RUN_DIR") -> str:
    """The card's markdown for ``config`` and its final evaluation ``results`` (the content of results.json)."""
    cls = model_class(config)
    hidden = "" if not config.recurrent else f" with a {config.hyperparams.hidden_size}-unit {config.cell.upper()}"
    library = LIBRARIES.get(cls.__module__.split(".")[0], cls.__module__)
    return f"""{_metadata(config, results)}
# {config.agent} on {config.env}

A `{cls.__name__}` agent ({library}; `{config.policy}`{hidden}) trained on `{config.env}` for {results["step"]:,}
environment steps with seed {config.seed}, by recurrent-agents' `scripts/train.py`.

## Results

Final evaluation on envs seeded apart from training:

{_results_table(config, results)}

## Load and evaluate

```bash
python scripts/evaluate.py {run_dir} --episodes 100 --gif episode.gif
```

```python
from agents.experiment.builders import make_env
from agents.experiment.evaluation import evaluate_agent
from agents.experiment.run_dir import load_model

model, config, normalize = load_model("{run_dir}")
env = make_env(config, n_envs=8, seed=config.seed + 10_000, normalize_stats=normalize, training=False)
print(evaluate_agent(model, env, config.env, n_episodes=20).summary())
```

`model.zip` is a plain stable-baselines3 file (`{cls.__module__}.{cls.__name__}.load`); `vecnormalize.pkl`, when
present, holds the observation statistics it was trained with. `evaluations.npz`, `*.monitor.csv` and
`best_model.zip` are the files SB3's `EvalCallback` and `Monitor` write.

## Settings

```yaml
{yaml.safe_dump(config_to_dict(config), sort_keys=False).rstrip()}
```
"""


def write_model_card(run_dir: Path, config: RunConfig, results: dict[str, Any]) -> Path:
    """Write ``README.md`` into ``run_dir``."""
    return write_text(run_dir / MODEL_CARD_FILE, model_card(config, results, run_dir))
