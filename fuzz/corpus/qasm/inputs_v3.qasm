OPENQASM 3.0;
include "stdgates.inc";
input float[64] theta;
input float phi;
qubit[3] q;
bit[3] c;
gate rot(a, b) x { rz(a) x; ry(b / 2) x; }
h q[0];
ctrl @ rx(theta) q[0], q[1];
inv @ rot(phi, pi / 4) q[2];
c[0] = measure q[0];
if (c[0] == 1) x q[1];
reset q[0];
c = measure q;
