"""Everything that learns: recurrent PPO (``agents.ppo``), the sequence estimators (``agents.sequence``), and the
experiment tooling the scripts run on (``agents.experiment``)."""

from agents.ppo import RecurrentPPO
from agents.sequence import RecurrentClassifier, RecurrentForecaster, RecurrentRegressor

__all__ = ["RecurrentClassifier", "RecurrentForecaster", "RecurrentPPO", "RecurrentRegressor"]
