"""The syntax tree: what the user wrote, with a source span on every node.

Nothing here knows what a name means; :mod:`pdec.passes.resolve` binds names to
declarations and builds the IR. Node names match the grammar's rule names.
"""

from __future__ import annotations

from dataclasses import dataclass

from pdec.errors import Span

# ---- expressions ---------------------------------------------------------------------


@dataclass(frozen=True)
class Number:
    text: str
    span: Span


@dataclass(frozen=True)
class Name:
    id: str
    span: Span


@dataclass(frozen=True)
class Call:
    function: Name
    args: tuple[Expression, ...]
    span: Span


@dataclass(frozen=True)
class BinaryOp:
    op: str  # one of + - * / ^
    left: Expression
    right: Expression
    span: Span


@dataclass(frozen=True)
class Negate:
    operand: Expression
    span: Span


@dataclass(frozen=True)
class TupleExpr:
    items: tuple[Expression, ...]
    span: Span


@dataclass(frozen=True)
class MatrixExpr:
    rows: tuple[tuple[Expression, ...], ...]
    span: Span


Expression = Number | Name | Call | BinaryOp | Negate | TupleExpr | MatrixExpr

# ---- geometry --------------------------------------------------------------------------


@dataclass(frozen=True)
class VarRange:
    var: Name
    lo: Expression
    hi: Expression
    span: Span


@dataclass(frozen=True)
class Periodic:
    """``periodic`` (all variables, ``vars`` empty) or ``periodic(x, y)``."""

    vars: tuple[Name, ...]
    span: Span


@dataclass(frozen=True)
class BoxShape:
    kind: str  # "box" or "interval"
    ranges: tuple[VarRange, ...]
    periodic: tuple[Periodic, ...]
    span: Span


@dataclass(frozen=True)
class DiskShape:
    """``disk(...)``, ``ball(...)`` or ``ellipse(...)`` (``kind``): a center and a radius
    (semi-axes for an ellipse), by position or keyword."""

    args: tuple[Expression, ...]
    keywords: tuple[tuple[Name, Expression], ...]
    span: Span
    kind: str = "disk"


@dataclass(frozen=True)
class PolygonShape:
    """``polygon(P0, P1, ..., Pn)``."""

    points: tuple[Expression, ...]
    span: Span


@dataclass(frozen=True)
class RegionRef:
    name: Name
    span: Span


@dataclass(frozen=True)
class RegionOp:
    op: str  # "union", "difference", "intersection"
    left: RegionExpr
    right: RegionExpr
    span: Span


RegionExpr = BoxShape | DiskShape | PolygonShape | RegionRef | RegionOp


@dataclass(frozen=True)
class Side:
    """``crust.top``: a named side of a region."""

    region: Name
    side: Name
    span: Span


@dataclass(frozen=True)
class PlaceRef:
    """A bare name in a place expression: a boundary or a curve."""

    name: Name
    span: Span


@dataclass(frozen=True)
class PlaceUnion:
    parts: tuple[Side | PlaceRef, ...]
    span: Span


PlaceExpr = Side | PlaceRef | PlaceUnion

# ---- locations of equations -------------------------------------------------------------


@dataclass(frozen=True)
class InRegion:
    region: RegionExpr
    span: Span


@dataclass(frozen=True)
class OnPlace:
    place: PlaceExpr
    span: Span


@dataclass(frozen=True)
class AtSlice:
    """``at t = 0`` (optionally ``in region``)."""

    var: Name
    value: Expression
    region: RegionExpr | None
    span: Span


@dataclass(frozen=True)
class AtPoint:
    """``at (0, 0)``: a point condition."""

    point: tuple[Expression, ...]
    span: Span


Location = InRegion | OnPlace | AtSlice | AtPoint

# ---- statements ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ModelDecl:
    name: Name
    span: Span


@dataclass(frozen=True)
class ConstDecl:
    name: Name
    value: Expression
    span: Span


@dataclass(frozen=True)
class ParamDecl:
    name: Name
    args: tuple[Name, ...] | None  # None: a scalar parameter
    value: Expression | None  # None: unknown, to be learned
    span: Span
    # an unknown's options, `(positive, guess = 0.05)`: (name, value or None) pairs
    options: tuple[tuple[Name, Expression | None], ...] = ()
    # `param k(x, y) = table("k.csv")`: the file, as written (value is then None)
    table: str | None = None


@dataclass(frozen=True)
class RegionDecl:
    name: Name
    region: RegionExpr
    span: Span


@dataclass(frozen=True)
class BoundaryDecl:
    name: Name
    place: PlaceExpr
    span: Span


@dataclass(frozen=True)
class CurveDecl:
    name: Name
    shape: Name  # segment, polyline
    args: tuple[Expression, ...]
    span: Span


@dataclass(frozen=True)
class TimeDecl:
    name: Name
    lo: Expression
    hi: Expression
    span: Span


@dataclass(frozen=True)
class FunctionDecl:
    """``field u(t, x)`` or ``input a(x, y)`` (one per declared function)."""

    kind: str  # "field" or "input"
    name: Name
    args: tuple[Name, ...] | None
    span: Span


@dataclass(frozen=True)
class CoordinatesDecl:
    name: Name
    variables: tuple[Name, ...]
    about: Expression | None
    equations: tuple[tuple[Name, Expression], ...]
    span: Span


@dataclass(frozen=True)
class CutDecl:
    curve: Name
    var: Name
    value: Expression
    span: Span


@dataclass(frozen=True)
class EquationDecl:
    kind: str  # "pde", "bc" or "ic"
    name: Name | None
    lhs: Expression
    rhs: Expression
    location: Location | None
    span: Span


@dataclass(frozen=True)
class EnergyDecl:
    name: Name
    value: Expression | None  # None: learned
    span: Span


@dataclass(frozen=True)
class LagrangianDecl:
    """``lagrangian L = expr`` of coordinates q(t) and velocities dt(q), or learned."""

    name: Name
    value: Expression | None  # None: learned
    span: Span


@dataclass(frozen=True)
class EvolveDecl:
    operator: Name  # must be dt
    fields: tuple[Name, ...]
    rhs: Expression
    span: Span


@dataclass(frozen=True)
class StructureDecl:
    name: Name
    kind: Name
    span: Span


@dataclass(frozen=True)
class ClaimDecl:
    kind: str  # "conserved", "dissipated" or "quantity" (reported, nothing claimed)
    name: Name
    value: Expression | None  # None: refers to an energy by name
    span: Span


@dataclass(frozen=True)
class DataDecl:
    name: Name
    path: str
    fields: tuple[Name, ...]
    location: Location | None
    span: Span


@dataclass(frozen=True)
class TrainItem:
    key: Name
    value: int | float | str | tuple[int, int]
    span: Span


@dataclass(frozen=True)
class ReferenceDecl:
    """``reference u = expr``: a known solution, for evaluating trained models."""

    field: Name
    value: Expression
    span: Span


@dataclass(frozen=True)
class TrainDecl:
    items: tuple[TrainItem, ...]
    span: Span


Statement = (
    ModelDecl
    | ConstDecl
    | ParamDecl
    | RegionDecl
    | BoundaryDecl
    | CurveDecl
    | TimeDecl
    | FunctionDecl
    | CoordinatesDecl
    | CutDecl
    | EquationDecl
    | EnergyDecl
    | LagrangianDecl
    | EvolveDecl
    | StructureDecl
    | ClaimDecl
    | DataDecl
    | TrainDecl
    | ReferenceDecl
)


@dataclass(frozen=True)
class Module:
    """A whole ``.pde`` file."""

    statements: tuple[Statement, ...]
    file: str
    source: str
