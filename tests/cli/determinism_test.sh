#!/usr/bin/env bash
# Reproducibility of the `qnn` command line: one seed gives byte-identical outputs whatever the thread count.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Training with 1, 2 and 3 threads: the model (weights in round-trip form), the checkpoint and the metrics' numbers
# are identical (but for wall times: metrics.csv's last column, the checkpoint's "seconds"). Batches of 32 over 8 qubits put the
# batched state (2^8 · 32 amplitudes) above the parallel threshold, so the threaded kernels and reductions run.
case_train_same_bytes_for_any_thread_count() {
  local t args=(train --qubits 8 --layers 1 --epochs 1 --batch 32 --seed 11 --quiet)
  for t in 1 2 3; do
    expect_success --threads "$t" "${args[@]}" --out "run$t" || return
  done
  for t in 2 3; do
    cmp -s run1/model.json "run$t/model.json" || fail "model.json differs between 1 and $t threads"
    diff <(grep -v '"seconds"' run1/checkpoint.json) <(grep -v '"seconds"' "run$t/checkpoint.json") >/dev/null ||
      fail "checkpoint.json differs (beyond timings) between 1 and $t threads"
    diff <(cut -d, -f1-9 run1/metrics.csv) <(cut -d, -f1-9 "run$t/metrics.csv") >/dev/null ||
      fail "metrics.csv differs between 1 and $t threads"
  done
}

# Shots are drawn from one seeded stream: the same counts with 1 and 2 threads.
case_run_same_counts_for_any_thread_count() {
  { printf 'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[14];\ncreg c[14];\nh q[0];\n'
    for i in $(seq 0 12); do printf 'cx q[%d], q[%d];\nry(0.%d) q[%d];\n' "$i" $((i + 1)) "$i" "$i"; done
    printf 'measure q -> c;\n'; } >ghz.qasm
  expect_success --threads 1 run ghz.qasm --shots 2000 --seed 3 || return
  cp out.txt one.txt
  expect_success --threads 2 run ghz.qasm --shots 2000 --seed 3 || return
  cmp -s one.txt out.txt || fail "counts differ between 1 and 2 threads"
}

run_cases
