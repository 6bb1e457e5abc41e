# burgers.pde — viscous Burgers, the classic PINN benchmark (Raissi et al. 2019)
model burgers
const nu = 0.01/pi
region space = interval(x in [-1, 1])
time t in [0, 1]
field u(t, x)
pde momentum: dt(u) + u*dx(u) = nu*dx(dx(u))   in space
ic  start:    u = -sin(pi*x)                   at t = 0
bc  walls:    u = 0                            on space.boundary
