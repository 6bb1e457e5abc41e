# cahn_hilliard.pde — phase separation, a dissipative gradient flow: u_t = ∂x² δH/δu
model cahn_hilliard
const gamma = 0.0005
region line = interval(x in [0, 1], periodic)
time t in [0, 1]
field u(t, x)
energy H = integral((u^2 - 1)^2/4 + gamma/2*dx(u)^2, x)
evolve dt(u) = dx(dx(delta(H, u)))      # G = ∂x² is negative semidefinite: H decreases
conserved mass = integral(u, x)
dissipated H
