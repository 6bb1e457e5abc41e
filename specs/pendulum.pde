# pendulum.pde — ODE systems are PDEs with no space: Hamiltonian with friction
model pendulum
const g = 9.8, l = 1, c = 0.1
time t in [0, 10]
field q(t), p(t)
energy H = p^2/2 - g/l*cos(q)
evolve dt(q, p) = [[0, 1], [-1, -c]] * grad(H, (q, p))   # S + R: dissipative
dissipated H
