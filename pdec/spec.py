"""The user-facing spec: ``pdec.load(path)`` and what you can ask of it.

>>> import pdec
>>> spec = pdec.loads('''
... model heat
... region ring = interval(x in [0, 1], periodic)
... time t in [0, 1]
... field u(t, x)
... pde diffusion: dt(u) = dx(dx(u)) in ring
... conserved mass = integral(u, x)
... ''')
>>> spec.residual("diffusion")
Derivative(u(t, x), t) - Derivative(u(t, x), (x, 2))
>>> [(f.claim, f.verdict) for f in spec.check()]
[('conserved mass', 'conserved')]
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

import sympy

from pdec.errors import NameResolutionError, SpecError, SpecFileError
from pdec.frontend.parser import parse
from pdec.ir import nodes as ir
from pdec.passes.check_conservation import Finding, check_claims
from pdec.passes.check_lagrangian import check_lagrangian
from pdec.passes.check_structure import check_structure
from pdec.passes.classify_dynamics import classify_dynamics
from pdec.passes.compute_domain import compute_domain
from pdec.passes.derive_residuals import derive_residual
from pdec.passes.resolve import resolve
from pdec.passes.transform_coordinates import coordinate_system, transform_coordinates
from pdec.passes.vocabulary import did_you_mean
from pdec.symbolic.budget import DEFAULT_BUDGET


class Spec:
    """A resolved spec. ``spec.ir`` is the immutable IR; methods run the passes."""

    def __init__(self, spec_ir: ir.SpecIR):
        self.ir = spec_ir

    @property
    def name(self) -> str:
        return self.ir.name

    @property
    def file(self) -> str:
        return self.ir.file

    def __repr__(self) -> str:
        return f"<pdec.Spec {self.name!r} from {self.file}>"

    # ---- residuals ------------------------------------------------------------------------
    def equation(self, name: str) -> ir.Equation:
        equation = self.ir.lookup("equations", name)
        if equation is None:
            names = [e.name for e in self.ir.equations]
            raise NameResolutionError(
                f"the spec has no equation or condition '{name}'",
                None,
                did_you_mean(name, names) or "it has: " + ", ".join(names),
            )
        return equation

    def residual(
        self, name: str, coords: str | None = None, substitute: bool = False
    ) -> sympy.Expr:
        """Residual (lhs − rhs) of the equation or condition ``name``.

        ``coords``: a declared coordinate system to rewrite it in (e.g. "polar");
        ``substitute``: insert known parameters' expressions and constants' values.
        """
        equation = self.equation(name)
        residual = derive_residual(self.ir, equation, substitute=substitute)
        if coords is not None:
            residual = transform_coordinates(
                self.ir, equation, residual, coordinate_system(self.ir, coords)
            )
        return residual

    def residuals(
        self, coords: str | None = None, substitute: bool = False
    ) -> dict[str, sympy.Expr]:
        return {e.name: self.residual(e.name, coords, substitute) for e in self.ir.equations}

    # ---- energies and dynamics ---------------------------------------------------------------
    def variational_derivative(self, energy_name: str, field_name: str) -> sympy.Expr:
        """δH/δu for a functional energy, ∂H/∂q for an ODE energy."""
        from pdec.symbolic.variational import variational_derivative

        energy = self.ir.lookup("energies", energy_name)
        if energy is None:
            raise NameResolutionError(
                f"the spec has no energy '{energy_name}'",
                None,
                did_you_mean(energy_name, [e.name for e in self.ir.energies]) or "",
            )
        field = self.ir.lookup("fields", field_name)
        if field is None:
            raise NameResolutionError(
                f"the spec has no field '{field_name}'",
                None,
                did_you_mean(field_name, [f.name for f in self.ir.fields]) or "",
            )
        if energy.learned:
            raise SpecError(f"the energy {energy_name} is learned: it has no formula", energy.span)
        return variational_derivative(energy.density, field.function, energy.space)

    @cached_property
    def structure(self):
        """The class of G in dt(u) = G δH/δu (an ``OperatorStructure``), or None."""
        return self.ir.fact("dynamics").require()

    def check(self, budget: float | None = DEFAULT_BUDGET) -> list[Finding]:
        """A :class:`Finding` per claim and per energy: conserved, dissipated, ...; each
        judged within ``budget`` seconds ("not shown: too expensive" past it; None: no
        limit)."""
        return check_claims(self.ir, budget) + check_lagrangian(self.ir, budget)

    def euler_lagrange(self) -> dict[str, sympy.Expr]:
        """coordinate ↦ d/dt ∂L/∂q̇ − ∂L/∂q, the residual of its Euler–Lagrange equation
        (the spec's ``lagrangian``, closed form)."""
        from pdec.passes.check_lagrangian import coordinates_of
        from pdec.symbolic.lagrangian import euler_lagrange

        lagrangian = self.ir.lagrangian
        if lagrangian is None or lagrangian.learned:
            what = "no Lagrangian" if lagrangian is None else "a learned Lagrangian"
            raise SpecError(
                f"the spec has {what}: there are no Euler–Lagrange equations to derive",
                lagrangian.span if lagrangian else None,
                "declare lagrangian L = kinetic - potential",
            )
        coordinates = coordinates_of(self.ir)
        residuals = euler_lagrange(lagrangian.value, coordinates, self.ir.time.symbol)
        return dict(zip(lagrangian.coordinates, residuals))

    def to_json(self, coords: str | None = None, budget: float | None = DEFAULT_BUDGET) -> dict:
        """The IR and everything derived from it, JSON-ready (``pdec show --json``);
        ``budget`` as for :meth:`check`."""
        from pdec.serialize import to_json

        return to_json(self, coords, budget)


def loads(text: str, file: str = "<string>") -> Spec:
    """Parse and resolve spec text. Raises :class:`pdec.SpecError` on any mistake."""
    spec = Spec(classify_dynamics(compute_domain(resolve(parse(text, file)))))
    check_structure(spec.ir)
    return spec


def load(path: str | Path) -> Spec:
    """Read, parse and resolve a ``.pde`` file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecFileError(f"no such file: {path}", None, "check the path") from None
    except IsADirectoryError:
        raise SpecFileError(f"{path} is a directory, not a .pde file") from None
    except UnicodeDecodeError as error:
        raise SpecFileError(
            f"{path} is not UTF-8 text (byte {error.start})", None, "save the spec as UTF-8"
        ) from None
    except OSError as error:
        raise SpecFileError(f"cannot read {path}: {error.strerror}") from None
    return loads(text, str(path))
