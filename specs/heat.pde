# heat.pde — diffusion on a ring: mass is conserved, the L² energy decays
model heat
const nu = 0.1
region ring = interval(x in [0, 1], periodic)
time t in [0, 1]
field u(t, x)
pde diffusion: dt(u) = nu*dx(dx(u))   in ring
ic  start:     u = 1 + sin(2*pi*x)    at t = 0
conserved mass = integral(u, x)
dissipated L2 = integral(u^2/2, x)
