# heat_inverse.pde — learn the diffusivity of heat.pde from gridded trajectories
# (`pdec data specs/heat.pde`, then `pdec estimate specs/heat_inverse.pde --data heat.npz`)
model heat_inverse
param nu unknown(positive)   # the data were made with nu = 0.1
region ring = interval(x in [0, 1], periodic)
time t in [0, 1]
field u(t, x)
pde diffusion: dt(u) = nu*dx(dx(u))   in ring
ic  start:     u = 1 + sin(2*pi*x)    at t = 0
conserved mass = integral(u, x)
dissipated L2 = integral(u^2/2, x)
