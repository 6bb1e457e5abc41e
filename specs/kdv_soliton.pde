# kdv_soliton.pde — a KdV soliton as a PINN (third order): u = c/2 sech²(√c/2 (x − ct − x0))
model kdv_soliton
const c = 1, x0 = -5
region line = interval(x in [-10, 10])
time t in [0, 4]
field u(t, x)
pde kdv:  dt(u) + 6*u*dx(u) + dx(dx(dx(u))) = 0       in line
ic  start: u = c/2*cosh(sqrt(c)/2*(x - x0))^(-2)         at t = 0
bc  ends:  u = c/2*cosh(sqrt(c)/2*(x - c*t - x0))^(-2)   on line.boundary
reference u = c/2*cosh(sqrt(c)/2*(x - c*t - x0))^(-2)
