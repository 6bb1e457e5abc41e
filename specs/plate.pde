# plate.pde — a simply supported square plate (Kirchhoff): D Δ²u = q, a fourth-order PINN
model plate
region square = box(x in [0, 1], y in [0, 1])
field u(x, y)
pde bending: lap(lap(u)) = 4*pi^4*sin(pi*x)*sin(pi*y)   in square
bc  support: u = 0                                       on square.boundary
bc  moments: lap(u) = 0                                  on square.boundary
reference u = sin(pi*x)*sin(pi*y)                        # Navier's solution
