# poisson.pde — 2-D Poisson with a manufactured solution u = sin(pi x) sin(pi y)
model poisson
region square = box(x in [0, 1], y in [0, 1])
field u(x, y)
pde poisson: -lap(u) = 2*pi^2*sin(pi*x)*sin(pi*y)   in square
bc  wall:    u = 0                                   on square.boundary
reference u = sin(pi*x)*sin(pi*y)                    # the manufactured solution
