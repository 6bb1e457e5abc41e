"""Code generation: a strict SymPy → PyTorch printer and a source builder."""
