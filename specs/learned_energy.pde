# learned_energy.pde — the DGNet setting: energy unknown, structure known
model wave_learned
region line = interval(x in [0, 1], periodic)
field u(t, x)
energy H = learned                      # a network H_θ(u) on the grid
structure G = skew                      # G learned but constrained skew (or: G = dx)
