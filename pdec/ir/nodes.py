"""The semantic IR: declarations bound to SymPy objects, immutable, with spans.

Conventions every pass relies on:

* a field ``u(t, x)`` is ``sympy.Function("u")(t, x)``; an unknown or known
  parameter field ``mu(x, y)`` and an input ``a(x, y)`` likewise; their derivatives
  are ``sympy.Derivative`` objects;
* constants and scalar parameters are plain ``sympy.Symbol`` objects named as in the
  spec (their values live in :class:`Constant` / :class:`Parameter`);
* operators are already lowered: ``grad``, ``div``, ``lap``, ``dx`` are derivatives,
  ``dn(e)`` is ``n·∇e`` with the normal of the condition's place substituted where it
  is constant there (else symbols ``n_x``, ``n_y``), ``jump(e)`` is
  ``OneSided(e, 1) - OneSided(e, -1)`` (:mod:`pdec.symbolic.traces`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import sympy
from sympy.core.function import AppliedUndef

from pdec.errors import Span
from pdec.ir.facts import FACT_PASSES, Domain, Dynamics

Expr = sympy.Expr

# ---- numbers and functions -------------------------------------------------------------


@dataclass(frozen=True)
class Constant:
    """``const nu = 0.01/pi``: ``value`` may use earlier constants (kept symbolic)."""

    name: str
    value: Expr
    span: Span

    @property
    def symbol(self) -> sympy.Symbol:
        return sympy.Symbol(self.name)


@dataclass(frozen=True)
class Parameter:
    """``param mu(x, y) = ...`` (``value`` set), ``param k unknown`` (``value`` None) or
    ``param k(x, y) = table("k.csv")`` (``table`` the file, as written: relative to the
    spec's folder; ``value`` None, the model interpolates it)."""

    name: str
    args: tuple[sympy.Symbol, ...]  # () for a scalar parameter
    value: Expr | None
    span: Span
    # for an unknown: learned as exp(·) so it stays > 0; the first guess (None: 1 if
    # positive, else 0)
    positive: bool = False
    guess: Expr | None = None
    table: str | None = None

    @property
    def unknown(self) -> bool:
        return self.value is None and self.table is None

    @property
    def symbol(self) -> Expr:
        """What stands for the parameter in expressions: ``mu(x, y)`` or ``k``."""
        if self.args:
            return sympy.Function(self.name)(*self.args)
        return sympy.Symbol(self.name)


@dataclass(frozen=True)
class Field:
    """An unknown function the model learns (``kind="field"``) or an input given per
    instance (``kind="input"``)."""

    name: str
    args: tuple[sympy.Symbol, ...]
    span: Span
    kind: str = "field"

    @property
    def function(self) -> AppliedUndef:
        return sympy.Function(self.name)(*self.args)


# ---- geometry -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Range:
    var: sympy.Symbol
    lo: Expr
    hi: Expr
    periodic: bool = False


@dataclass(frozen=True)
class Box:
    """A box (an interval in 1-D): the product of its ranges."""

    ranges: tuple[Range, ...]

    @property
    def variables(self) -> tuple[sympy.Symbol, ...]:
        return tuple(r.var for r in self.ranges)


@dataclass(frozen=True)
class Disk:
    """``disk(center, radius)`` in the plane, ``ball(center, radius)`` in any dimension:
    ``|x − center| ≤ radius`` in ``variables`` (one per center coordinate)."""

    center: tuple[Expr, ...]
    radius: Expr
    variables: tuple[sympy.Symbol, ...]


@dataclass(frozen=True)
class Ellipse:
    """``ellipse(center, (a, b, ...))``: Σ ((x_i − c_i) / a_i)² ≤ 1, in any dimension."""

    center: tuple[Expr, ...]
    axes: tuple[Expr, ...]
    variables: tuple[sympy.Symbol, ...]


@dataclass(frozen=True)
class Polygon:
    """``polygon(P0, P1, ..., Pn)``: a simple polygon in the plane, vertices stored
    counterclockwise (so each edge's tangent turned clockwise is its outward normal)."""

    points: tuple[tuple[Expr, Expr], ...]
    variables: tuple[sympy.Symbol, sympy.Symbol]


@dataclass(frozen=True)
class SetOp:
    """Union, difference or intersection of two shapes."""

    op: str
    left: Shape
    right: Shape

    @property
    def variables(self) -> tuple[sympy.Symbol, ...]:
        seen = dict.fromkeys(self.left.variables + self.right.variables)
        return tuple(seen)


Shape = Box | Disk | Ellipse | Polygon | SetOp


@dataclass(frozen=True)
class Region:
    name: str
    shape: Shape
    span: Span


@dataclass(frozen=True)
class BoundaryPiece:
    """One smooth piece of a boundary, with its outward unit normal.

    ``shape`` is the primitive the piece lies on: for a side of a box, the box, and
    ``var = value`` is the plane it lies in; for a disk, ball or ellipse, its surface;
    for a polygon, edge ``edge`` (P_edge → P_edge+1); for a curve (``on c1 | c2``), the
    curve's segment ``edge``. ``within`` is the composite region whose boundary the piece
    is restricted to (None: all of it), and the normal is that region's outward normal
    (a hole's circle points into the hole). ``region.side`` is how ``pdec show`` names it.
    """

    region: str
    side: str
    normal: tuple[Expr, ...]
    var: sympy.Symbol | None = None
    value: Expr | None = None
    shape: Shape | Curve | None = None
    within: Shape | None = None
    edge: int | None = None
    sign: int = 1  # −1: the normal is the primitive's inward one (a subtracted shape)


@dataclass(frozen=True)
class Boundary:
    name: str
    pieces: tuple[BoundaryPiece, ...]
    span: Span

    @property
    def normal(self) -> tuple[Expr, ...] | None:
        """The normal if it is the same on every piece, else None."""
        normals = {p.normal for p in self.pieces}
        return normals.pop() if len(normals) == 1 else None


@dataclass(frozen=True)
class Curve:
    """A polyline in the plane; ``normals[i]`` is the unit normal of segment i, pointing
    to the plus side (the right when walking from ``points[i]`` to ``points[i+1]``)."""

    name: str
    kind: str
    points: tuple[tuple[Expr, Expr], ...]
    normals: tuple[tuple[Expr, Expr], ...]
    span: Span

    @property
    def normal(self) -> tuple[Expr, Expr] | None:
        normals = set(self.normals)
        return normals.pop() if len(normals) == 1 else None


@dataclass(frozen=True)
class Time:
    """``time t in [lo, hi]``; lo and hi are None when time is only implied by fields."""

    symbol: sympy.Symbol
    lo: Expr | None
    hi: Expr | None
    span: Span | None


@dataclass(frozen=True)
class Cut:
    """``cut fault at theta = 0``: the branch cut of an angular coordinate."""

    curve: str
    angle: sympy.Symbol
    value: Expr
    span: Span


@dataclass(frozen=True)
class CoordinateSystem:
    """``coordinates polar(r, theta): x = ..., y = ...``: old = forward(new)."""

    name: str
    new: tuple[sympy.Symbol, ...]
    old: tuple[sympy.Symbol, ...]
    forward: tuple[Expr, ...]
    about: tuple[Expr, ...] | None
    cut: Cut | None
    span: Span


# ---- equations and conditions ----------------------------------------------------------------


@dataclass(frozen=True)
class InRegion:
    region: str  # a declared region, or "" for the whole domain
    shape: Shape | None = None


@dataclass(frozen=True)
class OnBoundary:
    boundary: Boundary


@dataclass(frozen=True)
class OnCurve:
    curve: str


@dataclass(frozen=True)
class AtSlice:
    """``at t = 0`` (an initial condition) or ``at x = 0``."""

    var: sympy.Symbol
    value: Expr
    region: str = ""


@dataclass(frozen=True)
class AtPoint:
    """``at (0, 0)``: one point in space (a pinned value), for all times if any."""

    point: tuple[Expr, ...]


Location = InRegion | OnBoundary | OnCurve | AtSlice | AtPoint


@dataclass(frozen=True)
class Equation:
    """A ``pde``, ``bc`` or ``ic`` statement: residual = lhs − rhs at ``location``."""

    name: str
    kind: str
    lhs: Expr
    rhs: Expr
    location: Location
    span: Span


# ---- energy, dynamics, claims -----------------------------------------------------------------


@dataclass(frozen=True)
class Energy:
    """H = ∫ density d(space) (``space`` empty: H = density, an ODE energy), or learned."""

    name: str
    density: Expr | None
    space: tuple[sympy.Symbol, ...]
    span: Span

    @property
    def learned(self) -> bool:
        return self.density is None


@dataclass(frozen=True)
class Lagrangian:
    """L(q, q̇, t) of generalised coordinates q(t) (``coordinates``, in declaration
    order; velocities written dt(q)), or learned (``value`` None)."""

    name: str
    value: Expr | None
    coordinates: tuple[str, ...]
    span: Span

    @property
    def learned(self) -> bool:
        return self.value is None


@dataclass(frozen=True)
class Placeholder:
    """Stands for δH/δu (or ∂H/∂q) inside an ``evolve`` right-hand side, so that the
    operator G in dt(u) = G δH/δu stays visible to the structure pass."""

    function: AppliedUndef
    energy: str
    field: str


@dataclass(frozen=True)
class Evolution:
    """``evolve dt(u, ...) = rhs``: u_t = rhs, with δH/δu as :class:`Placeholder` s."""

    fields: tuple[str, ...]
    rhs: tuple[Expr, ...]
    placeholders: tuple[Placeholder, ...]
    span: Span


@dataclass(frozen=True)
class Structure:
    """``structure G = skew | dissipative``."""

    name: str
    kind: str
    span: Span


@dataclass(frozen=True)
class Claim:
    """``conserved mass = integral(u, x)`` or ``dissipated H`` (``energy`` = "H")."""

    kind: str
    name: str
    density: Expr | None
    space: tuple[sympy.Symbol, ...]
    energy: str | None
    span: Span


@dataclass(frozen=True)
class Data:
    """``data gps = "gps.csv" : u on surface``: observations of fields."""

    name: str
    path: str
    fields: tuple[str, ...]
    location: Location | None
    span: Span


@dataclass(frozen=True)
class Reference:
    """``reference u = expr``: the known solution of a field (an expression of its
    arguments), used to evaluate trained models."""

    field: str
    value: Expr
    span: Span

    @property
    def name(self) -> str:
        return self.field


# ---- the whole spec ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SpecIR:
    """Everything a spec declares, resolved. Built by :func:`pdec.passes.resolve.resolve`."""

    name: str
    file: str
    source: str = field(repr=False)
    sha256: str
    space: tuple[sympy.Symbol, ...]
    time: Time | None
    constants: tuple[Constant, ...]
    parameters: tuple[Parameter, ...]
    fields: tuple[Field, ...]
    inputs: tuple[Field, ...]
    regions: tuple[Region, ...]
    boundaries: tuple[Boundary, ...]
    curves: tuple[Curve, ...]
    coordinates: tuple[CoordinateSystem, ...]
    equations: tuple[Equation, ...]
    energies: tuple[Energy, ...]
    evolution: Evolution | None
    structure: Structure | None
    claims: tuple[Claim, ...]
    data: tuple[Data, ...]
    train: tuple[tuple[str, object], ...]
    references: tuple[Reference, ...] = ()
    lagrangian: Lagrangian | None = None
    # facts the passes add (docs/architecture.md, "Facts", says which pass adds which)
    domain: Domain | None = None
    residuals: tuple[tuple[str, Expr], ...] | None = None
    # True once inline_definitions has put the known parameters' definitions into the
    # equations, energies, evolution and claims (the IR then no longer refers to them)
    definitions_inlined: bool = False
    dynamics: Dynamics | None = None
    # a pdec.passes.choose_coordinates.NetworkCoordinates (a pass type: the IR layer
    # cannot name it)
    network_coordinates: object | None = None

    def fact(self, name: str):
        """The fact ``name``; a RuntimeError naming its pass when that has not run (a
        bug in the pipeline, never the user's)."""
        value = getattr(self, name)
        if value is None or value is False:
            raise RuntimeError(
                f"the {name} fact is missing: run pdec.passes.{FACT_PASSES[name]} first "
                "(pdec.compiler runs it for the targets that list it)"
            )
        return value

    def residual(self, name: str) -> Expr:
        """The residual of the equation or condition ``name`` (the ``residuals`` fact)."""
        return dict(self.fact("residuals"))[name]

    def lookup(self, kind: str, name: str):
        """The declaration of ``kind`` (e.g. "equations") called ``name``, or None."""
        for item in getattr(self, kind):
            if item.name == name:
                return item
        return None

    @property
    def state_fields(self) -> tuple[str, ...]:
        """The names of a trajectory's state: the fields, or for a Lagrangian spec the
        coordinates and their velocities (q1, q2, q1_t, q2_t), the state of the
        Euler–Lagrange equations as a first-order system."""
        if self.lagrangian is None:
            return tuple(f.name for f in self.fields)
        q = self.lagrangian.coordinates
        return (*q, *(f"{name}_t" for name in q))

    @cached_property
    def constant_values(self) -> dict[sympy.Symbol, Expr]:
        """Each constant's symbol → its numeric value (earlier constants substituted),
        computed once per IR (a frozen dataclass still has a ``__dict__`` to cache in)."""
        values: dict[sympy.Symbol, Expr] = {}
        for constant in self.constants:
            values[constant.symbol] = constant.value.subs(values)
        return values
