# wave.pde — the linear wave equation as a two-field Hamiltonian system
model wave
const c = 1
region line = interval(x in [0, 1], periodic)
time t in [0, 1]
field q(t, x), p(t, x)
energy H = integral(p^2/2 + c^2/2*dx(q)^2, x)
evolve dt(q, p) = [[0, 1], [-1, 0]] * delta(H, (q, p))    # canonical S: H conserved
conserved momentum = integral(p*dx(q), x)
