# kdv.pde — Korteweg–de Vries as a Hamiltonian PDE: u_t = ∂x δH/δu
model kdv
const alpha = -6, beta = 1
region line = interval(x in [0, 10], periodic)
time t in [0, 10]
field u(t, x)
energy H = integral(alpha/6*u^3 - beta/2*dx(u)^2, x)
evolve dt(u) = dx(delta(H, u))          # G = ∂x is skew-adjoint: H is conserved
conserved mass = integral(u, x)
