# pendulum_frictionless.pde — the ideal pendulum: canonical S, H conserved
model pendulum_frictionless
const g = 9.8, l = 1
time t in [0, 10]
field q(t), p(t)
energy H = p^2/2 - g/l*cos(q)
evolve dt(q, p) = [[0, 1], [-1, 0]] * grad(H, (q, p))    # S skew: H conserved
conserved H
