# fault_layered.pde — the fault of fault.pde in a crust that stiffens with depth.
# No closed form: the PINN benchmark compares it with a finite-difference solution.
model fault_layered

const s = 1.0
const D = 1.0
param mu(x, y) = 1 + 0.5*tanh(-y - 2)

region crust = box(x in [-10, 10], y in [-10, 0])
boundary surface = crust.top
boundary far = crust.left | crust.right | crust.bottom
curve fault = segment((0, -D), (0, 0))

field u(x, y)

coordinates polar(r, theta) about (0, -D): x = r*sin(theta), y = -D + r*cos(theta)
cut fault at theta = 0

pde equilibrium:  div(mu*grad(u)) = 0      in crust
bc  slip:         jump(u) = s              on fault
bc  traction:     jump(mu*dn(u)) = 0       on fault
bc  free_surface: mu*dn(u) = 0             on surface
bc  far_field:    u = 0                    on far

# the variable μ needs a longer run than fault.pde (benchmarks/fault_accuracy.py)
train: layers = 8 x 40, activation = tanh, steps = 4000, lr_decay = 0.5, lbfgs_steps = 200
