"""The one rule for naming a derivative's local in generated code, used by every
lowering (the PINN's jets, the operator's grid derivatives).

>>> derivative_name("u", ["x", "x"])
'u_xx'
>>> derivative_name("u", ["r", "theta"])
'u_r_theta'
>>> derivative_name("flux_1", ["y"])
'flux_1_y'
>>> derivative_name("u", [])
'u'
"""

from __future__ import annotations

from collections.abc import Sequence


def derivative_name(function: str, variables: Sequence[str]) -> str:
    """``function`` differentiated along ``variables`` (repeated for higher orders, in
    order): the variables follow an underscore, one letter each run together when all
    are one letter (``u_xt``), else joined by underscores (``u_r_theta``)."""
    if not variables:
        return function
    glue = "" if all(len(v) == 1 for v in variables) else "_"
    return f"{function}_{glue.join(variables)}"


def along(orders: Sequence[int], variables: Sequence[str]) -> list[str]:
    """The variables of a multi-index, each repeated by its order:
    ``along((2, 1), ("x", "t")) == ["x", "x", "t"]``."""
    return [v for v, k in zip(variables, orders) for _ in range(k)]
