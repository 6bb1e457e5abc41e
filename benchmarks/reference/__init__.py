"""Reference solvers that pdec's generated models are compared against."""
