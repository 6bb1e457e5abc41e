"""resolve, part 2: constants, time, parameters, fields and inputs.

Constants resolve in order (each may use earlier ones); all parameter signatures are
read before any value, so parameters may use each other.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import PurePath

import sympy

from pdec.errors import ArgumentError, InvalidValueError, NameResolutionError, TimeError
from pdec.frontend import syntax as s
from pdec.ir import nodes as ir
from pdec.passes.resolve_geometry import check_range
from pdec.passes.vocabulary import Evaluator, did_you_mean


class NumbersAndFunctions:
    """A part of :class:`pdec.passes.resolve._Resolver`: its methods use the resolver's
    tables (``self.constants``, ``self.space``, ...) and scopes (``self.scope``)."""

    def resolve_constants(self) -> None:
        decls = self.statements(s.ConstDecl)
        for index, decl in enumerate(decls):
            later = {d.name.id: d for d in decls[index:]}
            for name in _names_in(decl.value):
                if name.id == decl.name.id:
                    raise NameResolutionError(
                        f"the constant '{name.id}' is defined in terms of itself",
                        name.span,
                        "a constant's value is a number or uses earlier constants",
                    )
                if name.id in later:
                    raise NameResolutionError(
                        f"the constant '{name.id}' is used before its declaration "
                        f"(line {later[name.id].span.line})",
                        name.span,
                        "constants are defined in order: declare it first",
                    )
            scope = self.scope("a constant", symbols=self.symbols(False), fields_allowed=False)
            value = Evaluator(scope).scalar(decl.value)
            self.constants[decl.name.id] = ir.Constant(decl.name.id, value, decl.span)

    def resolve_time(self) -> None:
        times = self.statements(s.TimeDecl)
        if times:
            decl = times[0]
            scope = self.scope("time's interval", symbols=self.symbols(False), fields_allowed=False)
            lo, hi = Evaluator(scope).scalar(decl.lo), Evaluator(scope).scalar(decl.hi)
            check_range(lo, hi, decl.span, TimeError)
            self.time = ir.Time(sympy.Symbol(decl.name.id), lo, hi, decl.span)

    def resolve_parameters(self) -> None:
        decls = self.statements(s.ParamDecl)
        for decl in decls:  # all signatures first: parameters may use each other
            args = self.arguments(decl.name, decl.args or (), "param")
            self.parameters[decl.name.id] = ir.Parameter(decl.name.id, args, None, decl.span)
            if args:
                self.functions[decl.name.id] = self.parameters[decl.name.id]
        for decl in decls:
            if decl.table is not None:
                self.parameters[decl.name.id] = _table_parameter(
                    self.parameters[decl.name.id], decl
                )
                self.functions[decl.name.id] = self.parameters[decl.name.id]
                continue
            if decl.value is None:
                self.parameters[decl.name.id] = self.unknown_parameter(decl)
                continue
            param = self.parameters[decl.name.id]
            variables = {v.name: v for v in param.args}
            # All variables are visible, so that a missing argument is named below.
            scope = self.scope(
                f"the parameter '{param.name}'",
                symbols={**self.symbols(), **variables},
                fields_allowed=False,
            )
            value = Evaluator(scope).scalar(decl.value)
            stray = value.free_symbols - set(param.args) - set(self.symbols(False).values())
            if stray:
                name = sorted(map(str, stray))[0]
                raise NameResolutionError(
                    f"the parameter '{param.name}' depends on '{name}', which is not among its "
                    "arguments",
                    decl.value.span,
                    f"declare it as param {param.name}({', '.join([*map(str, param.args), name])})",
                )
            self.parameters[decl.name.id] = replace(param, value=value)
            if param.args:
                self.functions[decl.name.id] = self.parameters[decl.name.id]
        _check_acyclic(self.parameters)

    def unknown_parameter(self, decl: s.ParamDecl) -> ir.Parameter:
        """``param nu unknown(positive, guess = 0.05)``: check the options."""
        param = self.parameters[decl.name.id]
        positive, guess = False, None
        for name, value in decl.options:
            if name.id == "positive" and value is None:
                positive = True
            elif name.id == "guess" and value is not None:
                guess = Evaluator(self.number_scope("a first guess")).scalar(value)
                if not (guess.is_number and guess.is_real):
                    raise InvalidValueError(
                        f"the first guess of '{param.name}' must be a real number, got {guess}",
                        value.span,
                        "write guess = 0.1",
                    )
            elif name.id in ("positive", "guess"):
                usage = "`positive`" if name.id == "positive" else "`guess = <number>`"
                raise ArgumentError(f"write the option as {usage}", name.span, "")
            else:
                raise ArgumentError(
                    f"'{name.id}' is not an option of an unknown parameter",
                    name.span,
                    did_you_mean(name.id, ("positive", "guess"))
                    or "the options are `positive` and `guess = <number>`",
                )
        if param.args and guess is not None:
            raise ArgumentError(
                f"'{param.name}' is a field: a first guess is a network's, not a number",
                decl.span,
                "drop `guess`; `positive` is allowed",
            )
        if positive and guess is not None and not guess.is_positive:
            raise InvalidValueError(
                f"'{param.name}' is declared positive but its first guess is {guess}",
                decl.span,
                "give a guess > 0",
            )
        return replace(param, positive=positive, guess=guess)

    def arguments(self, name: s.Name, args, what: str) -> tuple[sympy.Symbol, ...]:
        """Check a signature's arguments: each a space variable or time, no repeats."""
        seen: list[sympy.Symbol] = []
        for arg in args:
            symbol = sympy.Symbol(arg.id)
            is_time = self.time is not None and symbol == self.time.symbol
            if arg.id == "t" and self.time is None and what == "field":
                # Fields of a spec without `time` may still take t (the energy target's
                # learned-dynamics specs): time is then implied, with no interval.
                self.time = ir.Time(symbol, None, None, None)
                is_time = True
            if symbol not in self.space and not is_time:
                known = [v.name for v in self.space] + (
                    [self.time.symbol.name] if self.time else []
                )
                raise ArgumentError(
                    f"'{arg.id}' is not a space variable or time, so {name.id} cannot take it",
                    arg.span,
                    did_you_mean(arg.id, known)
                    or (
                        f"arguments may be: {', '.join(known)}"
                        if known
                        else "declare a region with this variable, e.g. interval(x in [0, 1])"
                    ),
                )
            if symbol in seen:
                raise ArgumentError(f"'{arg.id}' appears twice in {name.id}'s arguments", arg.span)
            seen.append(symbol)
        return tuple(seen)

    def resolve_functions(self) -> None:
        for decl in self.statements(s.FunctionDecl):
            if decl.args is None:
                raise ArgumentError(
                    f"the {decl.kind} '{decl.name.id}' needs its arguments",
                    decl.span,
                    f"write e.g. {decl.kind} {decl.name.id}(t, x)",
                )
            args = self.arguments(decl.name, decl.args, decl.kind)
            function = ir.Field(decl.name.id, args, decl.span, decl.kind)
            (self.fields if decl.kind == "field" else self.inputs).append(function)
            self.functions[decl.name.id] = function


# ---- helpers -----------------------------------------------------------------------------------


TABLE_SUFFIXES = (".npz", ".csv", ".txt", ".dat")  # pdec.runtime.interpolation.SUFFIXES


def _table_parameter(param: ir.Parameter, decl: s.ParamDecl) -> ir.Parameter:
    """``param k(x, y) = table("k.csv")``: the file is read when a model is built (the
    generated module names it); here only its kind is checked."""
    suffix = PurePath(decl.table).suffix
    if suffix not in TABLE_SUFFIXES:
        raise InvalidValueError(
            f"cannot read the table '{decl.table}': a table is "
            + ", ".join(TABLE_SUFFIXES[:-1])
            + f" or {TABLE_SUFFIXES[-1]}",
            decl.span,
            "CSV with a header row (x,y,k), NPZ arrays named x, y, k, or COMSOL text "
            "(% comments, columns x y k)",
        )
    return replace(param, table=decl.table)


def _check_acyclic(parameters: dict[str, ir.Parameter]) -> None:
    """Parameters may use each other, but not in a circle (``param f = 2*g``,
    ``param g = f``): inserting the definitions would never end."""

    def uses(param: ir.Parameter) -> list[str]:
        if param.value is None:
            return []
        called = {type(e).__name__ for e in param.value.atoms(sympy.core.function.AppliedUndef)}
        named = {s.name for s in param.value.free_symbols}
        return sorted(n for n in called | named if n in parameters)

    done: set[str] = set()

    def visit(name: str, path: tuple[str, ...]) -> None:
        if name in path:
            chain = " → ".join((*path[path.index(name) :], name))
            first = parameters[path[path.index(name)]]
            raise NameResolutionError(
                f"the parameter '{first.name}' is defined through itself ({chain})",
                first.span,
                "define one of them by an expression of its arguments and constants",
            )
        if name in done:
            return
        for used in uses(parameters[name]):
            visit(used, (*path, name))
        done.add(name)

    for name in parameters:
        visit(name, ())


def _names_in(node):
    """Every name an expression mentions (called functions included)."""
    if isinstance(node, s.Name):
        yield node
    elif isinstance(node, s.Call):
        yield node.function
        for arg in node.args:
            yield from _names_in(arg)
    elif isinstance(node, s.BinaryOp):
        yield from _names_in(node.left)
        yield from _names_in(node.right)
    elif isinstance(node, s.Negate):
        yield from _names_in(node.operand)
    elif isinstance(node, s.TupleExpr):
        for item in node.items:
            yield from _names_in(item)
    elif isinstance(node, s.MatrixExpr):
        for row in node.rows:
            for item in row:
                yield from _names_in(item)
