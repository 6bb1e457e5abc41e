# ns2d_c.pde — PINNacle's NS2d-C (Hao et al., NeurIPS 2024; i207M/PINNacle,
# src/pde/ns.py, class NS2D_LidDriven with a = 4): steady lid-driven cavity flow at
# Re = 100, the lid moving with u = 4x(1 − x); the pressure is fixed at one corner.
# Reference: PINNacle's COMSOL solution (benchmarks/data/pinnacle/lid_driven_a4.npz).
model ns2d_c
const nu = 1/100
region cavity = box(x in [0, 1], y in [0, 1])
boundary walls = cavity.left | cavity.right | cavity.bottom
field u(x, y), v(x, y), p(x, y)
pde momentum_x: u*dx(u) + v*dy(u) + dx(p) = nu*lap(u)   in cavity
pde momentum_y: u*dx(v) + v*dy(v) + dy(p) = nu*lap(v)   in cavity
pde continuity: dx(u) + dy(v) = 0                       in cavity
bc  lid_u:      u = 4*x*(1 - x)                         on cavity.top
bc  lid_v:      v = 0                                   on cavity.top
bc  wall_u:     u = 0                                   on walls
bc  wall_v:     v = 0                                   on walls
bc  pin:        p = 0                                   at (0, 0)
# PINNacle: 5 × 100 tanh, Adam lr 1e-3, 20,000 steps, 8192 domain and 2048 boundary
# points (512 on the lid, 1536 on the walls) and the one pressure point. pdec's levers:
# Sobol points redrawn every 1000 steps, then L-BFGS.
train: layers = 5 x 100, activation = tanh, lr = 1e-3, steps = 20000,
       points = 8192, boundary_points = 1024,
       sampling = sobol, resample_every = 1000, lbfgs_steps = 500
