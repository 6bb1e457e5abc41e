# burgers_inverse.pde — learn Burgers' viscosity from noisy observations
# (Raissi, Perdikaris & Karniadakis 2019, §4.1.1: 2000 points of the solution with 1 %
# noise, no initial or boundary data). The observations were made from the Cole–Hopf
# solution with ν = 0.01/π ≈ 3.183e-3 by `python -m benchmarks.burgers_inverse --write-data`.
model burgers_inverse
param nu unknown(positive, guess = 0.05)   # learned as exp(log nu); start 16x too large
region space = interval(x in [-1, 1])
time t in [0, 1]
field u(t, x)
pde momentum: dt(u) + u*dx(u) = nu*dx(dx(u))   in space
data observations = "data/burgers_observations.csv" : u

train: layers = 8 x 20, steps = 4000, lbfgs_steps = 300, points = 5000
