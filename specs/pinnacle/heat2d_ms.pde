# heat2d_ms.pde — PINNacle's Heat2d-MS (Hao et al., NeurIPS 2024; i207M/PINNacle,
# src/pde/heat.py, class Heat2D_Multiscale): anisotropic heat flow with a multi-scale
# initial state, sin(20πx) across and sin(πy) along, on [0, 1]² × [0, 5].
model heat2d_ms
const kx = 1/(500*pi)^2, ky = 1/pi^2
region square = box(x in [0, 1], y in [0, 1])
time t in [0, 5]
field u(t, x, y)
pde heat:  dt(u) = kx*dx(dx(u)) + ky*dy(dy(u))      in square
ic  start: u = sin(20*pi*x)*sin(pi*y)              at t = 0
bc  walls: u = 0                                    on square.boundary
reference u = sin(20*pi*x)*sin(pi*y)*exp(-(kx*(20*pi)^2 + ky*pi^2)*t)
# PINNacle: 5 × 100 tanh, Adam lr 1e-3, 20,000 steps, 4 × its default points (32,768
# domain, 8192 initial, 8192 boundary). pdec's levers: Sobol points redrawn every
# 1000 steps, then L-BFGS. Not used yet: Fourier features (fourier_features = m) for
# the 10 periods across x.
train: layers = 5 x 100, activation = tanh, lr = 1e-3, steps = 20000,
       points = 32768, boundary_points = 8192,
       sampling = sobol, resample_every = 1000, lbfgs_steps = 500
