"""Code generation, the layer every target prints its module with.

- :mod:`.printer`      the strict SymPy → PyTorch printer;
- :mod:`.source`       the source builder (imports collected as lines are added,
                       indentation, safe names, ``<Model><Target>`` class names);
- :mod:`.literals`     Python literals (non-finite floats included) and the header lines
                       (pdec version, spec file, spec sha256);
- :mod:`.derivatives`  the one rule for naming a derivative's local (``u_xx``);
- :mod:`.format`       ``format_source``: ``ruff format``, ruff pinned in pyproject.toml;
- :mod:`.module`       ``GeneratedModule``, what every target's ``generate`` returns.
"""
