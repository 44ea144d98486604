"""Train a recurrent PPO agent (placeholder until RecurrentPPO lands: prints the plan)."""

if __name__ == "__main__":
    print("Will train a GRU RecurrentPPO agent on masked CartPole (RecurrentPPO is not built yet).")
