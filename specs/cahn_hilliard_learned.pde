# cahn_hilliard_learned.pde — the DGNet setting for Cahn–Hilliard: G = ∂x² is known,
# the energy is learned from trajectories (made from cahn_hilliard.pde with `pdec data`)
model cahn_hilliard_learned
region line = interval(x in [0, 1], periodic)
time t in [0, 1]
field u(t, x)
energy H = learned
evolve dt(u) = dx(dx(delta(H, u)))      # G = ∂x², negative semidefinite: H_θ decreases
conserved mass = integral(u, x)
