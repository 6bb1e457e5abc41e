# kdv_learned.pde — the DGNet setting for KdV (Matsubara et al. 2020): G = ∂x is known,
# the energy is learned from trajectories (made from kdv.pde with `pdec data`)
model kdv_learned
region line = interval(x in [0, 10], periodic)
time t in [0, 10]
field u(t, x)
energy H = learned                      # Σ_k h_θ(u_{k-1}, u_k, u_{k+1}) Δx
evolve dt(u) = dx(delta(H, u))          # G = ∂x, skew: H_θ conserved by DGNet
conserved mass = integral(u, x)
