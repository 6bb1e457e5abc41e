# fault.pde — antiplane shear around a vertical strike-slip fault
# (Okazaki, Ito, Hirahara & Ueda, Nat. Commun. 2022). y is up; y = 0 is the ground.
model fault

const s = 1.0                      # slip on the fault
const D = 1.0                      # depth of the fault's lower edge
param mu(x, y) = 1.0               # shear modulus; any expression of x, y

region crust = box(x in [-10, 10], y in [-10, 0])
boundary surface = crust.top
boundary far = crust.left | crust.right | crust.bottom
curve fault = segment((0, -D), (0, 0))

field u(x, y)

# u jumps across the fault: learn it as a smooth function of (r, theta) about the
# fault's lower edge, with the branch cut theta = 0 lying on the fault
coordinates polar(r, theta) about (0, -D): x = r*sin(theta), y = -D + r*cos(theta)
cut fault at theta = 0

pde equilibrium:  div(mu*grad(u)) = 0      in crust
bc  slip:         jump(u) = s              on fault
bc  traction:     jump(mu*dn(u)) = 0       on fault
bc  free_surface: mu*dn(u) = 0             on surface
bc  far_field:    u = s/(2*pi)*(atan2(x, -y - D) - atan2(x, -y + D))   on far

train: layers = 8 x 40, activation = tanh, steps = 2000, lbfgs_steps = 100

# the closed-form half-space solution (image method), for `pdec eval`
reference u = s/(2*pi)*(atan2(x, -y - D) - atan2(x, -y + D))
