# double_pendulum_learned.pde — Cranmer et al.'s (2020) LNN setting: the Lagrangian of the double
# pendulum is unknown and learned from trajectories (make them from double_pendulum.pde with
# `pdec data`); the network's Euler–Lagrange flow conserves its own energy
model double_pendulum_learned
time t in [0, 10]
field q1(t), q2(t)
lagrangian L = learned                  # a network L_θ(q1, q2, dt(q1), dt(q2))
