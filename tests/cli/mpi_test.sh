#!/usr/bin/env bash
# qnn under mpirun (docs/mpi.md): distributed `qnn run` against the single-process run, data-parallel `qnn train`
# against the single-process weights, and bad launches. Each case skips (prints why, passes) when qnn was built
# without MPI or mpirun is missing.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

MPIRUN=(mpirun --allow-run-as-root --oversubscribe)
export OMPI_MCA_rmaps_base_oversubscribe=1

# Prints a reason and returns 1 when the MPI cases cannot run here.
mpi_available() {
  if ! command -v mpirun >/dev/null; then
    echo "skipped: mpirun is not installed"
    return 1
  fi
  printf 'OPENQASM 3;\nqubit[1] q;\nh q[0];\n' >probe.qasm
  if "$QNN" run --distributed probe.qasm --expval Z0 2>&1 | grep -q "built with MPI"; then
    echo "skipped: this qnn was built without MPI"
    return 1
  fi
}

# Five qubits, gates on the top (global) qubits as targets and controls, an input parameter.
write_program() {
  cat >prog.qasm <<'QASM'
OPENQASM 3;
include "stdgates.inc";
input float a;
qubit[5] q;
h q[0]; h q[4]; cx q[0], q[4]; ry(a) q[4]; crz(0.3) q[3], q[1]; rx(0.7) q[3]; swap q[4], q[0];
cry(a) q[4], q[2]; ccx q[3], q[4], q[1]; crx(a) q[3], q[4]; cz q[4], q[1]; U(0.1, 0.2, 0.3) q[3]; cp(a) q[2], q[4];
QASM
}

# compare_run ARGS...: `qnn run prog.qasm ARGS` on 2 and 4 ranks prints what one process prints, numbers to 1e-12 (the
# reductions add in another order than one process does).
compare_run() {
  "$QNN" run "${PROG:-prog.qasm}" "$@" >single.txt 2>err.txt || fail "qnn run $*: $(cat err.txt)"
  local np
  for np in 2 4; do
    timeout 30 "${MPIRUN[@]}" -np $np "$QNN" run "${PROG:-prog.qasm}" "$@" >dist.txt 2>err.txt ||
      fail "mpirun -np $np qnn run $*: $(cat err.txt)"
    [[ $(wc -l <single.txt) == $(wc -l <dist.txt) && -s single.txt ]] || fail "$* on $np ranks: line counts differ"
    paste -d ' ' single.txt dist.txt | awk '{
        h = NF / 2
        for (i = 1; i <= h; i++) {
          if ($i ~ /^-?[0-9.]+(e[-+]?[0-9]+)?$/) { d = $i - $(i + h); if (d < 0) d = -d; if (d > 1e-12) bad = 1 }
          else if ($i != $(i + h)) bad = 1
        }
      } END { exit bad }' || fail "$* on $np ranks differs from one process"
  done
}

case_mpi_run_matches_single_process() {
  mpi_available || return 0
  write_program
  compare_run --bind a=0.4 --expval "Z0 X4 + 0.5 Y3 Y4"
  compare_run --bind a=0.4 --expval "Z0 X4 + 0.5 Y3 Y4" --gradient
  compare_run --bind a=0.4 --statevector
  compare_run --bind a=0.4 --probabilities
  # Counts of terminal measurements: the same seed draws the same uniforms, so the same shots (a shot could differ
  # only where a uniform falls within rounding of a CDF step).
  printf 'OPENQASM 3;\ninclude "stdgates.inc";\nqubit[3] q;\nbit[2] c;\nh q[0]; cx q[0], q[2]; ry(0.4) q[1];\n%s\n' \
    'c[0] = measure q[0]; c[1] = measure q[1];' >measure.qasm
  PROG=measure.qasm compare_run --shots 2000 --seed 4
}

case_mpi_train_weights_identical() {
  mpi_available || return 0
  local common=(train --data iris --qubits 4 --layers 2 --epochs 2 --batch 96 --seed 5 --quiet)
  "$QNN" "${common[@]}" --out single >/dev/null 2>err.txt || fail "qnn train: $(cat err.txt)"
  local np
  for np in 2 3; do
    timeout 60 "${MPIRUN[@]}" -np $np "$QNN" "${common[@]}" --out ranks$np >/dev/null 2>err.txt ||
      fail "mpirun -np $np qnn train: $(cat err.txt)"
    # Bit-identical: the chunk partials are summed in the same order as in one process.
    python3 - single/model.json ranks$np/model.json <<'PY' || fail "weights on $np ranks differ from one process"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
sys.exit(0 if a["weights"] == b["weights"] and a["circuit_weights"] == b["circuit_weights"] else 1)
PY
  done
}

# A launch the distributed state cannot use fails on rank 0 with one clear line, and every rank exits (no hang).
expect_mpi_error() {
  local np=$1 pattern=$2
  shift 2
  timeout 30 "${MPIRUN[@]}" -np "$np" "$QNN" "$@" >out.txt 2>err.txt
  rc=$?
  ((rc == 124)) && fail "mpirun -np $np qnn $* hung (killed after 30 s)"
  ((rc == 0)) && fail "mpirun -np $np qnn $* succeeded"
  local n
  n=$(grep -c "^qnn: error:" err.txt)
  [[ $n == 1 ]] || fail "mpirun -np $np qnn $*: $n 'qnn: error:' lines, expected 1 (rank 0 only)"
  grep -Eq "^qnn: error: .*$pattern" err.txt || fail "mpirun -np $np qnn $*: no error matching '$pattern': $(cat err.txt)"
}

case_mpi_run_rejects_non_power_of_two_ranks() {
  mpi_available || return 0
  write_program
  expect_mpi_error 3 "power-of-two number of ranks.*got 3" run --distributed prog.qasm --bind a=0.1 --expval Z0
}

case_mpi_run_rejects_more_ranks_than_amplitudes() {
  mpi_available || return 0
  printf 'OPENQASM 3;\nqubit[1] q;\nh q[0];\n' >one.qasm
  expect_mpi_error 4 "4 ranks for a 1-qubit state of 2 amplitudes" run one.qasm --probabilities
}

# qnn bench --mpi: a row per gate placement; a dense gate on a global qubit sends the whole slice (two swaps of half
# of it), 16 · 2^(n−1) bytes per rank in double on 2 ranks; a diagonal one and a local one send nothing.
case_mpi_bench_reports_bytes_exchanged() {
  mpi_available || return 0
  timeout 60 "${MPIRUN[@]}" -np 2 "$QNN" bench --mpi --min-qubits 10 --max-qubits 10 --repetitions 1 >out.txt 2>err.txt ||
    fail "mpirun -np 2 qnn bench --mpi: $(cat err.txt)"
  grep -Eq '^global +h +10 +9 +2 +[0-9]+ +8192 ' out.txt || fail "no global row with 8192 bytes: $(cat out.txt)"
  grep -Eq '^global_diagonal +rz +10 +9 +2 +[0-9]+ +0 ' out.txt || fail "no global_diagonal row with 0 bytes"
  grep -Eq '^local +h +10 +8 +2 +[0-9]+ +0 ' out.txt || fail "no local row with 0 bytes"
  grep -Eq '^single_process +h +10 +9 +1 ' out.txt || fail "no single-process baseline row"
}

run_cases
