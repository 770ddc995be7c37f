#!/usr/bin/env bash
# End-to-end tests of noisy evaluation and training and of error mitigation: --noise, --mitigate on train, eval, run.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# A trained model in model_run/model.json (1 epoch: fast).
train_small_model() {
  expect_success train --epochs 1 --quiet --out model_run || return 1
  [[ -f model_run/model.json ]] || { fail "train did not write model_run/model.json"; return 1; }
}

bell() {
  printf 'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[2];\nh q[0];\ncx q[0], q[1];\n' >bell.qasm
}

# |x − y| < tol for two numbers.
near() { awk -v x="$1" -v y="$2" -v t="$3" 'BEGIN { d = x - y; if (d < 0) d = -d; exit !(d < t) }'; }

# ---- noisy evaluation ----

case_eval_under_noise_and_zne() {
  train_small_model || return
  expect_success eval model_run/model.json --noise depolarizing:0.02 || return
  grep -q '^noise: depolarizing:0.02 (density matrix)$' out.txt || fail "eval did not report the noise: $(cat out.txt)"
  grep -q '^test accuracy [0-9.]* (30 samples)' out.txt || fail "eval under noise printed no test accuracy"
  expect_success eval model_run/model.json --noise depolarizing:0.02 --mitigate zne --extrapolation linear
  grep -q 'mitigation: zne (linear, global folding, scales 1,3,5)' out.txt || fail "eval did not report ZNE: $(cat out.txt)"
}

case_eval_noise_file() {
  train_small_model || return
  printf '{ "name": "my-device", "gate_noise": [ { "channel": { "type": "depolarizing", "p": 0.01 } } ],\n' >dev.json
  printf '  "readout": { "p1_given_0": 0.02, "p0_given_1": 0.04 } }\n' >>dev.json
  expect_success eval model_run/model.json --noise dev.json --mitigate zne,readout || return
  grep -q '^noise: my-device' out.txt || fail "eval did not name the file's model: $(cat out.txt)"
  grep -q 'readout inversion' out.txt || fail "eval did not report readout mitigation"
}

# ---- qnn run ----

case_run_noisy_expval_and_zne() {
  bell
  # ⟨Z0 Z1⟩ of a Bell state is 1; depolarising noise lowers it, ZNE brings it back closer.
  expect_success run bell.qasm --expval "Z0 Z1" || return
  near "$(cat out.txt)" 1 1e-12 || fail "noiseless <Z0 Z1> = $(cat out.txt)"
  expect_success run bell.qasm --expval "Z0 Z1" --noise depolarizing:0.05 || return
  local noisy zne
  noisy=$(cat out.txt)
  near "$noisy" 0.9 0.09 || fail "noisy <Z0 Z1> = $noisy, expected visibly below 1"
  expect_success run bell.qasm --expval "Z0 Z1" --noise depolarizing:0.05 --mitigate zne || return
  zne=$(cat out.txt)
  # (Measured: noisy 0.9025, ZNE 0.9737 — the error shrinks 3.7-fold at this strong noise.)
  awk -v n="$noisy" -v z="$zne" 'BEGIN { exit !((1 - z < 0 ? z - 1 : 1 - z) < (1 - n) / 2) }' ||
    fail "ZNE <Z0 Z1> = $zne is not 2x closer to 1 than the noisy $noisy"
}

case_run_noisy_gradient() {
  printf 'OPENQASM 3;\ninclude "stdgates.inc";\ninput float a;\nqubit[1] q;\nry(a) q[0];\n' >ry.qasm
  # ⟨Z⟩ = (1 − p)^k cos a under depolarising noise; ZNE's gradient is close to the ideal −sin a.
  expect_success run ry.qasm --expval Z0 --bind a=0.4 --gradient --noise depolarizing:0.02 --mitigate zne || return
  local g
  g=$(awk '$1 == "a" { print $2 }' out.txt)
  near "$g" -0.389418342308651 1e-4 || fail "mitigated gradient $g, expected about -sin(0.4)"
}

case_run_readout_mitigation() {
  printf 'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[1];\nx q[0];\n' >one.qasm
  expect_success run one.qasm --noise readout:p1_given_0=0.02,p0_given_1=0.1 --probabilities || return
  [[ $(cat out.txt) == $'0 0.1\n1 0.9' ]] || fail "read-out distribution: $(cat out.txt)"
  expect_success run one.qasm --noise readout:p1_given_0=0.02,p0_given_1=0.1 --probabilities --mitigate readout || return
  [[ $(cat out.txt) == '1 1' ]] || fail "mitigated distribution: $(cat out.txt)"
}

# ---- noisy training ----

case_train_under_noise() {
  expect_success train --epochs 1 --noise depolarizing:0.01 --out noisy_run || return
  grep -q '^noise: depolarizing:0.01 (density matrix)' out.txt || fail "train did not report the noise"
  [[ -f noisy_run/model.json ]] || fail "noisy training wrote no model"
}

# ---- error cases ----

case_mitigate_unknown() {
  train_small_model || return
  expect_error '1|2' "unknown mitigation 'magic'" eval model_run/model.json --noise depolarizing:0.01 --mitigate magic
}

case_mitigate_without_noise() {
  train_small_model || return
  expect_error 2 '--mitigate.*needs --noise' eval model_run/model.json --mitigate zne
  bell
  expect_error 2 '--mitigate.*needs --noise' run bell.qasm --expval Z0 --mitigate readout
}

case_zne_on_a_model_without_gate_noise() {
  train_small_model || return
  expect_error 1 'zero-noise extrapolation needs gate or idle noise' eval model_run/model.json --noise readout:0.02 \
    --mitigate zne
}

case_noise_bad_value() {
  train_small_model || return
  expect_error 1 'depolarizing.*1\.5' eval model_run/model.json --noise depolarizing:1.5
  expect_error 1 "--zne-scales: 'x' is not a number" eval model_run/model.json --noise depolarizing:0.01 \
    --mitigate zne --zne-scales 1,x
  expect_error 1 'scale factor 0\.5 out of range' eval model_run/model.json --noise depolarizing:0.01 --mitigate zne \
    --zne-scales 0.5,1,3
  expect_error 1 "unknown extrapolation 'cubic'" eval model_run/model.json --noise depolarizing:0.01 --mitigate zne \
    --extrapolation cubic
}

case_train_noise_needs_adjoint() {
  expect_error 1 '--noise trains with --grad adjoint' train --epochs 1 --noise depolarizing:0.01 \
    --grad parameter-shift --out out_dir
}

case_run_noise_errors() {
  bell
  expect_error 1 '--statevector has no meaning under --noise' run bell.qasm --statevector --noise depolarizing:0.01
  expect_error 1 'use it with --expval' run bell.qasm --probabilities --noise depolarizing:0.01 --mitigate zne
}

run_cases
