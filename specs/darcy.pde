# darcy.pde — learn the solution operator a ↦ u (FNO / PINO)
model darcy
region square = box(x in [0, 1], y in [0, 1])
input a(x, y)
field u(x, y)
pde flow: -div(a*grad(u)) = 1   in square
bc  wall: u = 0                 on square.boundary
