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
