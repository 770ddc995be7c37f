OPENQASM 2.0;
include "qelib1.inc";
qreg a[2];
qreg b[2];
creg c[4];
gate my(t, u) p, q { cu1(t) p, q; u3(u, -t, 2*pi/3) q; }
my(0.5, sin(pi/7)^2) a[0], b[1];
cx a, b;
barrier a, b;
measure a[0] -> c[0];
measure a[1] -> c[1];
measure b[0] -> c[2];
if (c == 3) ccx a[0], a[1], b[0];
