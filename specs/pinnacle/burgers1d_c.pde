# burgers1d_c.pde — PINNacle's Burgers1d-C (Hao et al., NeurIPS 2024; i207M/PINNacle,
# src/pde/burgers.py): viscous Burgers with a shock forming at x = 0.
# Reference: PINNacle's COMSOL solution (benchmarks/data/pinnacle/burgers1d.dat, on a
# 101 × 11 grid) and the exact Cole–Hopf solution (benchmarks/reference/burgers_exact.py).
model burgers1d_c
const nu = 0.01/pi
region space = interval(x in [-1, 1])
time t in [0, 1]
field u(t, x)
pde momentum: dt(u) + u*dx(u) = nu*dx(dx(u))   in space
ic  start:    u = -sin(pi*x)                   at t = 0
bc  walls:    u = 0                            on space.boundary
# PINNacle: 5 × 100 tanh, Adam lr 1e-3, 20,000 steps, 8192 domain, 2048 initial and
# 2048 boundary points. pdec's levers: Sobol points redrawn every 1000 steps, then L-BFGS.
train: layers = 5 x 100, activation = tanh, lr = 1e-3, steps = 20000,
       points = 8192, boundary_points = 2048,
       sampling = sobol, resample_every = 1000, lbfgs_steps = 500
