# allen_cahn.pde — the L² gradient flow of the Cahn–Hilliard energy: u_t = −δH/δu.
# H decreases, but unlike Cahn–Hilliard the mass ∫u is not conserved.
model allen_cahn
const gamma = 0.0005
region line = interval(x in [0, 1], periodic)
time t in [0, 1]
field u(t, x)
energy H = integral((u^2 - 1)^2/4 + gamma/2*dx(u)^2, x)
evolve dt(u) = -delta(H, u)             # G = −1 is negative definite: H decreases
dissipated H
quantity mass = integral(u, x)          # reported by `pdec check`, nothing claimed
