# burgers_ring.pde — viscous Burgers on a ring, the FNO paper's operator-learning setting
# (Li et al. 2021): learn u(0, ·) ↦ u(1, ·) for u(0, ·) ~ N(0, 625 (−Δ + 25 I)^−2)
model burgers_ring
const nu = 0.1
region ring = interval(x in [0, 1], periodic)
time t in [0, 1]
field u(t, x)
pde momentum: dt(u) + u*dx(u) = nu*dx(dx(u))   in ring
