"""Model targets: each ``generate(spec, ...) -> GeneratedModule``."""
