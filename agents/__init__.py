"""Everything that learns: recurrent PPO (``agents.ppo``), the sequence estimators (``agents.sequence``), and the
experiment tooling the scripts run on (``agents.experiment``), and ``export`` of a policy with its memory."""

from agents.export import export  # the function: it shadows the module's name, import PolicyStep from agents.export
from agents.ppo import RecurrentPPO
from agents.sequence import RecurrentClassifier, RecurrentForecaster, RecurrentRegressor

__all__ = ["RecurrentClassifier", "RecurrentForecaster", "RecurrentPPO", "RecurrentRegressor", "export"]
