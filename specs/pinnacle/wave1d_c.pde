# wave1d_c.pde — PINNacle's Wave1d-C (Hao et al., NeurIPS 2024; i207M/PINNacle,
# src/pde/wave.py, class Wave1D with C = 2, a = 4): u_tt = 4 u_xx on [0, 1] × [0, 1],
# u and u_t given at t = 0, u = 0 at both ends. PINNacle treats (x, t) as a rectangle
# with a Neumann condition (u_t = 0) and a Dirichlet one on its t = 0 side.
model wave1d_c
const c = 2
region string = interval(x in [0, 1])
time t in [0, 1]
field u(t, x)
pde wave:     dt(dt(u)) = c^2*dx(dx(u))                      in string
ic  shape:    u = sin(pi*x) + sin(4*pi*x)/2                  at t = 0
ic  at_rest:  dt(u) = 0                                      at t = 0
bc  ends:     u = 0                                          on string.boundary
reference u = sin(pi*x)*cos(2*pi*t) + sin(4*pi*x)*cos(8*pi*t)/2
# PINNacle: 5 × 100 tanh, Adam lr 1e-3, 20,000 steps, 8192 domain and 2048 boundary
# points (shared by its three conditions). pdec's levers: Sobol points redrawn every
# 1000 steps, then L-BFGS.
train: layers = 5 x 100, activation = tanh, lr = 1e-3, steps = 20000,
       points = 8192, boundary_points = 2048,
       sampling = sobol, resample_every = 1000, lbfgs_steps = 500
