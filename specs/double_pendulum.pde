# double_pendulum.pde — the double pendulum of Cranmer et al. (2020) as a Lagrangian: pdec derives
# its Euler–Lagrange equations (`pdec show`) and proves the energy conserved (`pdec check`)
model double_pendulum
const m1 = 1, m2 = 1, l1 = 1, l2 = 1, g = 9.8
time t in [0, 10]
field q1(t), q2(t)
lagrangian L = (m1 + m2)/2*l1^2*dt(q1)^2 + m2/2*l2^2*dt(q2)^2
             + m2*l1*l2*dt(q1)*dt(q2)*cos(q1 - q2)          # kinetic energy T
             + (m1 + m2)*g*l1*cos(q1) + m2*g*l2*cos(q2)     # minus the potential V
