"""resolve, part 4a: energies and claimed quantities, dynamics (``evolve``) and
structure.
"""

from __future__ import annotations

import sympy

from pdec.errors import (
    ArgumentError,
    DuplicateNameError,
    EnergyError,
    NameResolutionError,
    ShapeError,
    Span,
    TimeError,
)
from pdec.frontend import syntax as s
from pdec.ir import nodes as ir
from pdec.passes.vocabulary import Evaluator, IntegralValue, Vector, describe, did_you_mean

STRUCTURE_KINDS = ("skew", "dissipative")


class EnergiesAndStructure:
    """A part of :class:`pdec.passes.resolve._Resolver`: its methods use the resolver's
    tables (``self.constants``, ``self.space``, ...) and scopes (``self.scope``)."""

    def quantity(self, node: s.Expression, what: str, span: Span) -> tuple[sympy.Expr, tuple]:
        """An energy or claimed quantity: ∫ density (PDE) or a plain scalar (ODE)."""
        value = Evaluator(self.scope(what)).value(node)
        if isinstance(value, IntegralValue):
            return value.density, value.space
        if not isinstance(value, sympy.Basic):
            raise EnergyError(
                f"{what} must be a scalar, got {describe(value)}",
                node.span,
                "an energy is a number for each state: integrate a density, integral(e, x)",
            )
        depends_on_space = value.free_symbols & set(self.space) or any(
            set(f.args) & set(self.space) for f in value.atoms(sympy.core.function.AppliedUndef)
        )
        if depends_on_space:
            raise EnergyError(
                f"{what} must be a scalar, but this depends on "
                + ", ".join(v.name for v in self.space),
                node.span,
                "integrate the density over space: integral(..., "
                + ", ".join(v.name for v in self.space)
                + ")",
            )
        return value, ()

    def resolve_energies(self) -> None:
        for decl in self.statements(s.EnergyDecl):
            if decl.value is None:
                self.energies[decl.name.id] = ir.Energy(decl.name.id, None, (), decl.span)
            else:
                density, space = self.quantity(decl.value, f"the energy {decl.name.id}", decl.span)
                self.energies[decl.name.id] = ir.Energy(decl.name.id, density, space, decl.span)

    def resolve_evolution(self) -> ir.Evolution | None:
        decls = self.statements(s.EvolveDecl)
        for extra in decls[1:]:
            raise DuplicateNameError("`evolve` is given twice", extra.span, "keep one")
        if not decls:
            return None
        decl = decls[0]
        if decl.operator.id != "dt":
            raise ArgumentError(
                f"evolve gives the time derivative: expected dt(...), got {decl.operator.id}(...)",
                decl.operator.span,
                "write evolve dt(u) = ...",
            )
        if self.time is None:
            raise TimeError(
                "evolve gives dt of fields, but the spec declares no time",
                decl.operator.span,
                "declare `time t in [0, T]` and give fields a t argument",
            )
        names = []
        for name in decl.fields:
            field = self.functions.get(name.id)
            if not isinstance(field, ir.Field) or field.kind != "field":
                raise NameResolutionError(
                    f"'{name.id}' is not a field",
                    name.span,
                    did_you_mean(name.id, [f.name for f in self.fields]) or "",
                )
            if self.time.symbol not in field.args:
                raise TimeError(
                    f"the field '{name.id}' does not depend on {self.time.symbol}",
                    name.span,
                    f"declare it as field {name.id}({self.time.symbol}, ...)",
                )
            if name.id in names:
                raise ArgumentError(
                    f"'{name.id}' appears twice in dt(...)", name.span, "list each field once"
                )
            names.append(name.id)
        sink: list[ir.Placeholder] = []
        value = Evaluator(self.scope("the dynamics", evolve=True, sink=sink)).value(decl.rhs)
        items = value.items if isinstance(value, Vector) else (value,)
        if not all(isinstance(item, sympy.Basic) for item in items) or len(items) != len(names):
            raise ShapeError(
                f"dt of {len(names)} field{'s' if len(names) > 1 else ''} needs "
                f"{'a vector of ' + str(len(names)) if len(names) > 1 else 'a scalar'}, "
                f"got {describe(value)}",
                decl.rhs.span,
                "",
            )
        unique = tuple(dict.fromkeys(sink))
        return ir.Evolution(tuple(names), tuple(items), unique, decl.span)

    def resolve_lagrangian(self, evolution: ir.Evolution | None) -> ir.Lagrangian | None:
        """``lagrangian L = ...``: a scalar of coordinates q(t), their velocities dt(q)
        and t, with a mass matrix ∂²L/∂q̇² that is not identically singular."""
        decls = self.statements(s.LagrangianDecl)
        for extra in decls[1:]:
            raise DuplicateNameError("`lagrangian` is given twice", extra.span, "keep one")
        if not decls:
            return None
        decl = decls[0]
        if self.time is None:
            raise TimeError(
                "a Lagrangian needs time: its coordinates are functions q(t)",
                decl.span,
                "declare `time t in [0, T]` and fields q(t)",
            )
        if evolution is not None:
            raise EnergyError(
                "the dynamics are given twice: by `evolve` and by the Lagrangian",
                decl.span,
                "keep one: the Euler–Lagrange equations of L are the dynamics",
            )
        time = self.time.symbol
        mechanical = [f for f in self.fields if f.function.args == (time,)]
        if decl.value is None:
            if not mechanical:
                raise EnergyError(
                    "a learned Lagrangian needs coordinates: fields of time alone",
                    decl.span,
                    "declare the coordinates, e.g. field q1(t), q2(t)",
                )
            coordinates = tuple(f.name for f in mechanical)
            return ir.Lagrangian(decl.name.id, None, coordinates, decl.span)
        value = Evaluator(self.scope(f"the Lagrangian {decl.name.id}")).value(decl.value)
        if not isinstance(value, sympy.Basic):
            raise EnergyError(
                f"a Lagrangian is a scalar, got {describe(value)}",
                decl.value.span,
                "write L = kinetic - potential, e.g. dt(q)^2/2 - q^2/2",
            )
        return ir.Lagrangian(
            decl.name.id, value, self._coordinates_of(value, decl, time), decl.span
        )

    def _coordinates_of(self, value, decl, time) -> tuple[str, ...]:
        used = value.atoms(sympy.core.function.AppliedUndef)
        for function in used:
            if function.args != (time,):
                raise EnergyError(
                    f"a Lagrangian's coordinates are functions of {time} alone, got {function}",
                    decl.value.span,
                    "mechanics with fields of space is a field theory: use `energy` and `evolve`",
                )
        for derivative in value.atoms(sympy.Derivative):
            if derivative.derivative_count != 1:
                raise EnergyError(
                    f"a Lagrangian depends on q and dt(q) only, got {derivative}",
                    decl.value.span,
                    "higher time derivatives make a higher-order theory pdec does not derive",
                )
        coordinates = tuple(f for f in self.fields if f.function in used)
        if not coordinates:
            raise EnergyError(
                "the Lagrangian depends on no field",
                decl.value.span,
                "write it in the coordinates, e.g. dt(q)^2/2 - q^2/2",
            )
        from pdec.symbolic.lagrangian import mass_matrix

        functions = tuple(f.function for f in coordinates)
        if _identically_zero(mass_matrix(value, functions, time).det()):
            raise EnergyError(
                "the Lagrangian is degenerate: det ∂²L/∂q̇² is identically 0, so the "
                "Euler–Lagrange equations do not determine every acceleration",
                decl.value.span,
                "every coordinate needs a kinetic term, e.g. m*dt(q)^2/2",
            )
        return tuple(f.name for f in coordinates)

    def resolve_structure(self) -> ir.Structure | None:
        decls = self.statements(s.StructureDecl)
        for extra in decls[1:]:
            raise DuplicateNameError("`structure` is given twice", extra.span)
        if not decls:
            return None
        decl = decls[0]
        if decl.kind.id not in STRUCTURE_KINDS:
            raise NameResolutionError(
                f"unknown structure '{decl.kind.id}'",
                decl.kind.span,
                did_you_mean(decl.kind.id, STRUCTURE_KINDS) or "use skew or dissipative",
            )
        return ir.Structure(decl.name.id, decl.kind.id, decl.span)

    def resolve_claims(self) -> list[ir.Claim]:
        claims = []
        for decl in self.statements(s.ClaimDecl):
            name = decl.name.id
            if decl.value is None:
                if name not in self.energies:
                    close = did_you_mean(name, self.energies)
                    quantity = f"give the quantity: {decl.kind} {name} = integral(...)"
                    raise NameResolutionError(
                        f"'{name}' is not an energy",
                        decl.name.span,
                        f"{close} Or {quantity}" if close else quantity,
                    )
                energy = self.energies[name]
                claims.append(
                    ir.Claim(decl.kind, name, energy.density, energy.space, name, decl.span)
                )
                continue
            density, space = self.quantity(decl.value, f"the quantity '{name}'", decl.span)
            claims.append(ir.Claim(decl.kind, name, density, space, None, decl.span))
        return claims


def _identically_zero(expr: sympy.Expr, trials: int = 3) -> bool:
    """Whether ``expr`` vanishes at ``trials`` random rational points of all its
    symbols and functions. An analytic function that is not identically 0 vanishes
    only on a set of measure zero, so this decides "identically 0" without
    ``simplify`` (whose time on a large determinant has no bound, and resolving runs
    without a budget)."""
    import random

    rng = random.Random(0)  # the same verdict on every load
    atoms = sorted(
        expr.atoms(sympy.Derivative) | expr.atoms(sympy.core.function.AppliedUndef),
        key=sympy.default_sort_key,
        reverse=True,  # derivatives before the functions inside them
    )
    for _ in range(trials):
        point = {a: sympy.Rational(rng.randint(-997, 997), 331) for a in atoms}
        value = expr.subs(point)
        symbols = sorted(value.free_symbols, key=sympy.default_sort_key)
        value = value.subs({s: sympy.Rational(rng.randint(1, 997), 331) for s in symbols})
        if abs(sympy.N(value, 50)) > 1e-30:
            return False
    return True
