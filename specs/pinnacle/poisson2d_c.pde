# poisson2d_c.pde — PINNacle's Poisson2d-C (Hao et al., NeurIPS 2024; i207M/PINNacle,
# src/pde/poisson.py, class Poisson2D_Classic): Laplace's equation on a square plate
# with four round holes, u = 1 on the outer sides and u = 0 on the holes' rims.
# Reference: PINNacle's COMSOL solution (benchmarks/data/pinnacle/poisson1_cg_data.dat).
model poisson2d_c
region square = box(x in [-0.5, 0.5], y in [-0.5, 0.5])
region hole1 = disk((0.3, 0.3), 0.1)
region hole2 = disk((-0.3, 0.3), 0.1)
region hole3 = disk((0.3, -0.3), 0.1)
region hole4 = disk((-0.3, -0.3), 0.1)
region plate = square - hole1 - hole2 - hole3 - hole4
field u(x, y)
pde laplace: lap(u) = 0        in plate
bc  outer:   u = 1             on plate.square
bc  rims:    u = 0             on plate.hole1 | plate.hole2 | plate.hole3 | plate.hole4
# PINNacle: 5 × 100 tanh, Adam lr 1e-3, 20,000 steps, 8192 domain and 2048 boundary
# points (shared by the sides and the rims). pdec's levers: both conditions built into
# the output (hard = true: u = g + φ·N, so the fit cannot settle at the compromise
# u = 1/2 between them), Sobol points redrawn every 1000 steps, then L-BFGS.
train: layers = 5 x 100, activation = tanh, lr = 1e-3, steps = 20000,
       points = 8192, boundary_points = 1024, hard = true,
       sampling = sobol, resample_every = 1000, lbfgs_steps = 500
