"""Hand-written PyTorch PINNs, the baselines pdec's generated modules are timed against."""
