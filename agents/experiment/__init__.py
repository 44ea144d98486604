"""What the scripts run on: validated config and presets, run directories, training and evaluation runs,
benchmarks and their reports, probes, and the one command-line convention."""
