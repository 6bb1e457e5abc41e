"""Symbolic passes over SymPy expressions: residuals, coordinates, variational
derivatives, operator structure and conservation checks."""
