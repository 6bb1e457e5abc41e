"""Experiment: what brings the fault PINN to the accuracy targets of issue 3.

    python -m benchmarks.fault_accuracy [--variant NAME ...] [--case fault|fault_layered ...]
                                        [--seed N ...] [--threads 1] [--no-publish]

Each variant subclasses the generated module (nothing in pdec/ is changed) and trains
it; the table gives the relative L2 error over the crust (40,000 uniform points, as in
benchmarks/fault_pinn.py), the rms error by distance r from the fault's lower edge,
the final loss, the wall time and the number of threads. Targets: 1e-2 (fault, vs the
closed form), 2e-2 (fault_layered, vs the finite-volume reference at n = 400). With no
--variant it runs the spec defaults and the recommended variant on both cases.

Why the generated model misses: its loss is ~4e-6, but the error (8e-2) sits in the
fault's near field (rms 3.5e-2 at r < 0.5 from the lower edge) and decays outwards like
a potential (mean error −1.9e-2, −8.9e-3, −2.1e-3, −4e-4 at r ≈ 0.25, 1.5, 6, 11). There
the r²-cleared residual r²·div(μ∇u) weights the equation by r² < 1 (and a source at the
edge itself not at all: r²·δ = 0), only ~6 of the 2000 uniform points lie within r < 0.5,
and the (r, θ) network must make u(0, θ) exactly linear in θ; a net source q left in
that region radiates q·G(x; source) into the whole crust. The flux ∮ μ ∂u/∂n shows it
(0 for the exact solution; ``tip_flux`` about the edge): on half circles of radius 0.1 /
0.3 / 0.6 about the fault's surface end, (1/π)∫ u_ρ ρ dφ is 1.4e-3 / 1.0e-2 / 2.5e-2
for the generated model, 1.6e-5 / 9e-5 / 1.4e-4 for the recommended variant (fault,
seed 0). What removes it:

1. **lift** — u = s(π − θ)/2π + N(x, y): the jump is exact (slip and traction hold by
   construction, their terms drop out) and N is a network of the Cartesian x, y,
   regular at the pole, so it cannot fake log r cheaply. For a variable μ the lift's
   own source ∇μ·∇(θ) ~ 1/r needs N ~ r log r, which a tanh network does not have;
   **enriched** adds the next term of the expansion at the edge,
   s/(4πμ0) r log r (g_x cos θ − g_y sin θ), g = ∇μ(edge), (cut off as exp(−(r/3)²)),
   so div(μ∇ lift) stays bounded and N is smooth.
2. **residual r·div(μ∇u)** (the cleared residual divided by max(r, 0.05)): neither
   r² (tip weighted away) nor the plain form (a 1/r source at the edge dominates).
3. **points**: 20 % of the interior points log-uniform in r ∈ [1e-3, 3] about the
   edge (uniform in (log r, θ)), fresh points every 100 Adam steps.
4. **pole flux**: (1/2π)∮ μ u_r r dθ = 0 on 16 circles r ∈ [1e-3, D] about the edge,
   the equation integrated over the disc — exactly what multiplying by r^k loses.

``shear_modulus`` and ``tip_modulus`` stand in for what the generator would take from
the spec (μ in div(mu*grad(u)), and μ, ∇μ at the pole, symbolically).
"""

from __future__ import annotations

import argparse
import math
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

import pdec
from benchmarks.reference.fault_fd import closed_form, solve_fault
from benchmarks.results import publish
from pdec.runtime import Box, Polyline, derivative
from pdec.runtime.sampling import unit_cube

ROOT = Path(__file__).resolve().parents[1]
BANDS = (0.0, 0.5, 1.0, 2.0, 4.0, 8.0, 15.0)
D = 1.0  # depth of the fault's lower edge (the pole of the polar coordinates) in both specs
POLE = (0.0, -D)
CASES = ("fault", "fault_layered")
RECOMMENDED = "enriched-r1-flux-resample-long"


# -- samplers ------------------------------------------------------------------------


class PoleBox:
    """A box, with a share of its points log-concentrated about the pole.

    ``fraction`` of the points have log r uniform in [r_min, radius] and θ uniform
    (area density ∝ 1/r², uniform in (log r, θ), where r²Δ is the Laplacian in
    (log r, θ)); points outside the box are rejected. The rest are uniform in the box.
    """

    def __init__(self, box: Box, center, radius: float, fraction: float, r_min: float = 1e-3):
        self.box, self.center, self.radius = box, center, radius
        self.fraction, self.r_min = fraction, r_min
        self.names = box.names

    def sample(self, n, generator, method="uniform"):
        m = round(self.fraction * n)
        base = self.box.sample(n - m, generator, method)
        (cx, cy), kept, count = self.center, [], 0
        (x0, x1), (y0, y1) = self.box.bounds["x"], self.box.bounds["y"]
        while count < m:
            unit = unit_cube(2 * m, 2, generator, "uniform")
            r = self.r_min * (self.radius / self.r_min) ** unit[:, 0]
            angle = 2 * math.pi * unit[:, 1]
            x, y = cx + r * torch.sin(angle), cy + r * torch.cos(angle)
            inside = (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)
            kept.append(torch.stack([x[inside], y[inside]], dim=1))
            count += int(inside.sum())
        extra = torch.cat(kept)[:m]
        return {"x": torch.cat([base["x"], extra[:, 0]]), "y": torch.cat([base["y"], extra[:, 1]])}


class PoleSegment(Polyline):
    """A segment starting at the pole, with a share of its points log-concentrated there."""

    def __init__(self, points, fraction: float, r_min: float = 1e-3):
        super().__init__(points)
        self.fraction, self.r_min = fraction, r_min

    def sample(self, n, generator, method="uniform"):
        m = round(self.fraction * n)
        base = super().sample(n - m, generator, method)
        (px, py), (qx, qy) = self.points[0], self.points[-1]
        length = math.dist((px, py), (qx, qy))
        draw = torch.rand(m, generator=generator, dtype=torch.float64)
        t = self.r_min / length * (length / self.r_min) ** draw
        extra = {
            "x": px + t * (qx - px),
            "y": py + t * (qy - py),
            "n_x": torch.full((m,), float(base["n_x"][0]), dtype=torch.float64),
            "n_y": torch.full((m,), float(base["n_y"][0]), dtype=torch.float64),
        }
        return {name: torch.cat([base[name], extra[name]]) for name in base}


class PoleCircles:
    """Circles about the pole, ``per_circle`` equally spaced points each (random phase),
    radii stratified log-uniformly in [r_min, r_max]; n // per_circle circles."""

    per_circle = 64

    def __init__(self, center, r_min: float, r_max: float):
        self.center, self.r_min, self.r_max = center, r_min, r_max
        self.names = ("x", "y")

    def sample(self, n, generator, method="uniform"):
        k = max(1, n // self.per_circle)
        draws = torch.rand(2, k, generator=generator, dtype=torch.float64)
        radii = self.r_min * (self.r_max / self.r_min) ** ((torch.arange(k) + draws[0]) / k)
        steps = torch.arange(self.per_circle, dtype=torch.float64) / self.per_circle
        angle = 2 * math.pi * (steps[None, :] + draws[1][:, None] / self.per_circle)
        r = radii[:, None].expand_as(angle)
        cx, cy = self.center
        return {
            "x": (cx + r * torch.sin(angle)).reshape(-1),
            "y": (cy + r * torch.cos(angle)).reshape(-1),
        }


def shear_modulus(spec_name: str, y: torch.Tensor) -> torch.Tensor:
    """μ of the spec (the generator would take it from div(mu*grad(u)))."""
    if spec_name == "fault_layered":
        return 1 + 0.5 * torch.tanh(-y - 2)
    return torch.ones_like(y)


def tip_modulus(spec_name: str) -> tuple[float, float, float]:
    """μ and ∇μ = (g_x, g_y) at the pole (the generator would differentiate μ symbolically)."""
    with torch.enable_grad():  # also when called under no_grad (predict)
        y = torch.tensor([POLE[1]], dtype=torch.float64, requires_grad=True)
        mu = shear_modulus(spec_name, y)
        g_y = derivative(mu, y)
    return float(mu.detach()), 0.0, float(g_y.detach())


# -- variants ------------------------------------------------------------------------


@dataclass(frozen=True)
class Variant:
    """One way of training the generated model."""

    description: str
    lift: str = "none"  # "none", "angle": + s(π-θ)/2π, "enriched": + the r log r term too
    network_input: str = "polar"  # "polar": (r, θ) as generated; "cartesian": (x, y)
    tip_power: float = 0.0  # the (r²-cleared) pde residual is divided by max(r, r_clamp)**k
    r_clamp: float = 1e-3
    pole_fraction: float = 0.0  # share of interior points log-concentrated about the pole
    pole_radius: float = 3.0
    fault_fraction: float = 0.0  # share of slip / traction points log-concentrated there
    pole_flux: bool = False  # the pole-flux residual on 16 circles (weight 10)
    fit: dict = field(default_factory=dict)


BASE_FIT = dict(steps=2000, lbfgs_steps=100, points=2000, boundary_points=500)
FLUX_POINTS = 16 * PoleCircles.per_circle
# with the lift the cut conditions hold exactly: their terms get one point (a check)
CUT_EXACT = {"slip": 1, "traction": 1}
TIP = dict(tip_power=1, r_clamp=0.05, pole_fraction=0.2, pole_flux=True)
TIP_FIT = dict(weights={"pole_flux": 10.0}, resample_every=100)

VARIANTS: dict[str, Variant] = {
    "spec-defaults": Variant("generated module as is: (r, θ) network, r²·div(μ∇u), box points"),
    "polar+tip": Variant(
        "(r, θ) network and cut terms as generated; r·div(μ∇u), pole points (also on the"
        " fault), pole flux",
        fault_fraction=0.2,
        **TIP,
        fit=dict(points_per_term={"pole_flux": FLUX_POINTS}, weights={"pole_flux": 10.0}),
    ),
    "lift": Variant(
        "u = s(π-θ)/2π + N(x, y); div(μ∇u); box points",
        lift="angle",
        network_input="cartesian",
        tip_power=2,
    ),
    "lift-cleared+pole-points": Variant(
        "u = s(π-θ)/2π + N(x, y); r²·div(μ∇u) as generated; 20 % pole points",
        lift="angle",
        network_input="cartesian",
        pole_fraction=0.2,
        fit=dict(points_per_term=CUT_EXACT),
    ),
    "lift-r1-flux-resample": Variant(
        "u = s(π-θ)/2π + N(x, y); r·div(μ∇u); pole points; pole flux; resampling",
        lift="angle",
        network_input="cartesian",
        **TIP,
        fit=dict(points_per_term={**CUT_EXACT, "pole_flux": FLUX_POINTS}, **TIP_FIT),
    ),
    "enriched-r1-flux-resample": Variant(
        "as lift-r1-flux-resample, the lift with the r log r term of the expansion at the edge",
        lift="enriched",
        network_input="cartesian",
        **TIP,
        fit=dict(points_per_term={**CUT_EXACT, "pole_flux": FLUX_POINTS}, **TIP_FIT),
    ),
    "enriched-r1-flux-resample-long": Variant(
        "as enriched-r1-flux-resample, 4000 Adam steps (lr halved every 1000) + 200 L-BFGS",
        lift="enriched",
        network_input="cartesian",
        **TIP,
        fit=dict(
            steps=4000,
            lr_decay=0.5,
            lbfgs_steps=200,
            points_per_term={**CUT_EXACT, "pole_flux": FLUX_POINTS},
            **TIP_FIT,
        ),
    ),
}


def build(Base, variant: Variant):
    """The generated class ``Base`` with the variant's changes, as a subclass."""

    class Variation(Base):
        interior_terms = ("equilibrium",)
        residual_names = (*Base.residual_names, *(("pole_flux",) if variant.pole_flux else ()))

        def samplers(self):
            samplers = super().samplers()
            if variant.pole_fraction:
                samplers["equilibrium"] = PoleBox(
                    samplers["equilibrium"], POLE, variant.pole_radius, variant.pole_fraction
                )
            if variant.fault_fraction:
                for name in ("slip", "traction"):
                    samplers[name] = PoleSegment([POLE, (0.0, 0.0)], variant.fault_fraction)
            if variant.pole_flux:
                samplers["pole_flux"] = PoleCircles(POLE, 1e-3, D)
            return samplers

        def residuals(self, batch):
            out = super().residuals(batch)
            if variant.tip_power:
                r = self.to_network(batch["equilibrium"])["r"].detach()
                out["equilibrium"] = (
                    out["equilibrium"] / r.clamp_min(variant.r_clamp) ** variant.tip_power
                )
            if variant.pole_flux:
                points = batch["pole_flux"]
                network = self.to_network(points)
                r = network["r"].detach().requires_grad_(True)
                u = self.network_fields({"r": r, "theta": network["theta"].detach()})["u"]
                mu = shear_modulus(self.spec_name, points["y"].detach())
                flux = mu * r * derivative(u, r)
                out["pole_flux"] = flux.reshape(-1, PoleCircles.per_circle).mean(dim=1)
            return out

        def network_fields(self, inputs):
            if variant.lift == "none" and variant.network_input == "polar":
                return super().network_fields(inputs)
            r, theta = torch.broadcast_tensors(
                torch.as_tensor(inputs["r"], dtype=self.dtype, device=self.device),
                torch.as_tensor(inputs["theta"], dtype=self.dtype, device=self.device),
            )
            if variant.network_input == "cartesian":
                x, y = r * torch.sin(theta), -D + r * torch.cos(theta)
                z = torch.stack([x / 10, 2 * y / 10 + 1], dim=1)  # the crust onto [-1, 1]²
            else:
                z = self.embedding(torch.stack([r, theta], dim=1))
            u = self.network(z)[:, 0]
            s = self.constants["s"]
            if variant.lift != "none":
                u = u + s * (math.pi - theta) / (2 * math.pi)
            if variant.lift == "enriched":
                mu0, g_x, g_y = tip_modulus(self.spec_name)
                r_log_r = torch.xlogy(r, r) * torch.exp(-((r / variant.pole_radius) ** 2))
                u = u + s / (4 * math.pi * mu0) * r_log_r * (
                    g_x * torch.cos(theta) - g_y * torch.sin(theta)
                )
            return {"u": u}

    Variation.__name__ = Variation.__qualname__ = f"{Base.__name__}Variation"
    return Variation


# -- measuring -----------------------------------------------------------------------


def reference_for(case: str):
    if case == "fault":
        return closed_form
    mu = lambda x, y: 1 + 0.5 * np.tanh(-y - 2)  # noqa: E731
    return solve_fault(mu, n=400, far=lambda x, y: 0.0 * x)


def errors(model, reference, n: int = 200, seed: int = 0) -> dict:
    """Relative L2 on n² uniform points of the crust, rms / mean error by r band, and
    the pole flux on three circles."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-10, 10, n * n)
    y = rng.uniform(-10, 0, n * n)
    x[x == 0] = 1e-9
    u = model.predict(x=x, y=y)["u"].astype(np.float64)
    exact = reference(x, y)
    error = u - exact
    r = np.hypot(x - POLE[0], y - POLE[1])
    bands = []
    for lo, hi in zip(BANDS[:-1], BANDS[1:]):
        inside = (r >= lo) & (r < hi)
        bands.append((float(np.sqrt(np.mean(error[inside] ** 2))), float(error[inside].mean())))
    return {
        "error": float(np.linalg.norm(error) / np.linalg.norm(exact)),
        "bands": bands,
        "tip_flux": {radius: tip_flux(model, radius) for radius in (0.05, 0.25, 1.0)},
    }


def tip_flux(model, radius: float, h: float = 1e-3, n: int = 720) -> float:
    """(1/2π) ∮ μ ∂u/∂r r dθ on the circle of radius ``radius`` about the pole.

    0 for the exact solution (div(μ∇u) = 0 inside, the jump is constant along the
    fault); c for an error c·log r, the point source that the r²-cleared residual
    cannot see (r²·δ = 0)."""
    theta = (np.arange(n) + 0.5) * 2 * math.pi / n
    values = []
    for r in (radius - h, radius + h):
        values.append(model.predict(x=POLE[0] + r * np.sin(theta), y=POLE[1] + r * np.cos(theta)))
    y = torch.as_tensor(POLE[1] + radius * np.cos(theta))
    mu = shear_modulus(model.spec_name, y).numpy()
    u_r = (values[1]["u"].astype(np.float64) - values[0]["u"]) / (2 * h)
    return float(radius * np.mean(mu * u_r))


def run(case: str, name: str, reference, out: Path, seed: int = 0) -> dict:
    variant = VARIANTS[name]
    Base = pdec.compile(ROOT / "specs" / f"{case}.pde", target="pinn", out_dir=out / case)
    model = build(Base, variant)(seed=seed, layers=(8, 40), dtype="float32")
    options = {**BASE_FIT, **variant.fit, "seed": seed}
    start = time.perf_counter()
    history = model.fit(progress=False, checkpoint_dir=None, **options).to_dict()
    seconds = time.perf_counter() - start
    model.save(out / case / f"{name}-{seed}.pt")
    return {
        "case": case,
        "variant": name if seed == 0 else f"{name} (seed {seed})",
        "final_loss": history["final"]["loss"],
        "terms": history["final"]["terms"],
        "seconds": seconds,
        "threads": torch.get_num_threads(),
        **errors(model, reference),
    }


def table(rows: list[dict]) -> str:
    bands = " | ".join(f"r∈[{lo:g},{hi:g})" for lo, hi in zip(BANDS[:-1], BANDS[1:]))
    lines = [
        f"| case | variant | rel. L2 | {bands} | final loss | wall s | threads |",
        "|---|---|---|" + "---|" * (len(BANDS) - 1) + "---|---|---|",
    ]
    for row in rows:
        cells = " | ".join(f"{rms:.1e}" for rms, _ in row["bands"])
        lines.append(
            f"| {row['case']} | {row['variant']} | {row['error']:.2e} | {cells} | "
            f"{row['final_loss']:.1e} | {row['seconds']:.0f} | {row['threads']} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variant", action="append", choices=sorted(VARIANTS))
    parser.add_argument("--case", action="append", choices=CASES)
    parser.add_argument("--seed", type=int, action="append", help="model and point seed(s)")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--no-publish", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    out = ROOT / "runs" / "fault_accuracy"
    names = args.variant or ["spec-defaults", RECOMMENDED]
    rows = []
    for case in args.case or CASES:
        reference = reference_for(case)
        for name in names:
            for seed in args.seed or [0]:
                row = run(case, name, reference, out, seed)
                print(table([row]), flush=True)
                print("  mean error by band:", ", ".join(f"{m:+.1e}" for _, m in row["bands"]))
                print("  pole flux (1/2π)∮μ u_r r dθ at r:", row["tip_flux"])
                terms = {k: f"{v:.1e}" for k, v in row["terms"].items()}
                print("  final terms:", terms, flush=True)
                rows.append(row)
    command = "python -m benchmarks.fault_accuracy" + "".join(
        f" --{key} {value}"
        for key, values in (("variant", args.variant), ("case", args.case), ("seed", args.seed))
        for value in values or []
    )
    described = "".join(f"\n- `{name}`: {VARIANTS[name].description}" for name in names)
    text = (
        f"### fault PINN accuracy variants — {time.strftime('%Y-%m-%d')}, "
        f"torch {torch.__version__}, CPU, {args.threads} thread(s)\n\n"
        f"`{command}` (8×40 tanh, float32, 2000 interior + 500 per condition, 2000 Adam "
        f"+ 100 L-BFGS unless the variant says otherwise; rms error by distance r from "
        f"the fault's lower edge){described}\n\n" + table(rows)
    )
    if args.no_publish:
        print(text)
    else:
        publish(text)


if __name__ == "__main__":
    main()
