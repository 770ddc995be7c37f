#!/usr/bin/env bash
# End-to-end tests of `qnn run --noise`: density matrix and trajectories, counts, noise files, and the error cases.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

bell() {
  printf 'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[2];\ncreg c[2];\nh q[0];\ncx q[0], q[1];\n' >bell.qasm
  if [[ ${1:-} == measure ]]; then printf 'measure q -> c;\n' >>bell.qasm; fi
}

# |x − y| < tol for two numbers.
near() { awk -v x="$1" -v y="$2" -v t="$3" 'BEGIN { d = x - y; if (d < 0) d = -d; exit !(d < t) }'; }

case_noise_density_matrix_closed_form() {
  bell
  # depolarizing p after each gate on each qubit: <X0 X1> = (1-p)^3, <Z0 Z1> = (1-p)^2 (see density_matrix_simulation_test).
  expect_success run bell.qasm --noise depolarizing:0.1 --expval "X0 X1" || return
  near "$(cat out.txt)" 0.729 1e-12 || fail "<X0 X1> = $(cat out.txt), expected 0.729"
  expect_success run bell.qasm --noise depolarizing:0.1 --expval "Z0 Z1" || return
  near "$(cat out.txt)" 0.81 1e-12 || fail "<Z0 Z1> = $(cat out.txt), expected 0.81"
}

case_noise_amplitude_damping_probabilities() {
  printf 'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[1];\nx q[0];\n' >x.qasm
  expect_success run x.qasm --noise amplitude_damping:0.2 --probabilities || return
  [[ $(cat out.txt) == $'0 0.2\n1 0.8' ]] || fail "amplitude damping of |1>: $(cat out.txt)"
  # With a readout error p(0|1) = 0.1 on top: P(read 0) = 0.2 + 0.8 * 0.1.
  expect_success run x.qasm --noise "amplitude_damping:0.2+readout:p1_given_0=0,p0_given_1=0.1" || return
  near "$(sed -n 1p out.txt | cut -d' ' -f2)" 0.28 1e-12 || fail "with readout error: $(cat out.txt)"
}

# within_4_sigma SPEC OBS: --expval on bell.qasm from 2000 trajectories lies within 4 standard errors of the density matrix's.
within_4_sigma() {
  expect_success run bell.qasm --noise "$1" --expval "$2" || return
  local exact=$(cat out.txt)
  expect_success run bell.qasm --noise "$1" --expval "$2" --trajectories 2000 --seed 3 || return
  local mean se
  read -r mean se <out.txt
  [[ -n $se ]] || fail "trajectories printed no standard error: $(cat out.txt)"
  awk -v m="$mean" -v s="$se" -v e="$exact" 'BEGIN { d = m - e; if (d < 0) d = -d; exit !(s > 0 && d <= 4 * s) }' ||
    fail "$1, $2: trajectories $mean ± $se vs density matrix $exact: more than 4 sigma apart"
}

case_noise_trajectories_match_density_matrix() {
  bell
  within_4_sigma amplitude_damping:0.2+depolarizing:0.05 "Z0 Z1 + X0"
  # The read-out value: both paths put the readout error into the expectation.
  within_4_sigma depolarizing:0.05+readout:0.02 "Z0 Z1"
}

case_noise_counts_reproducible() {
  bell measure
  expect_success run bell.qasm --noise bit_flip:0.1 --shots 2000 --seed 5 || return
  local first=$(cat out.txt)
  awk '{ s += $2 } END { exit !(s == 2000) }' out.txt || fail "counts do not sum to 2000: $first"
  grep -q '^01 ' out.txt || fail "bit flips produced no 01 outcome: $first"
  expect_success run bell.qasm --noise bit_flip:0.1 --shots 2000 --seed 5 || return
  [[ $(cat out.txt) == "$first" ]] || fail "same seed, different counts"
  expect_success run bell.qasm --noise bit_flip:0.1 --shots 2000 --seed 5 --trajectories 100 || return
  awk '{ s += $2 } END { exit !(s == 2000) }' out.txt || fail "trajectory counts do not sum to 2000: $(cat out.txt)"
}

case_noise_json_model_and_preset() {
  bell
  cat >dev.json <<'JSON'
{ "name": "dev",
  "gate_noise": [ { "gates": ["cx"], "channel": { "type": "depolarizing2", "p": 0.02 } },
                  { "gate_qubits": 1, "channel": { "type": "kraus", "operators": [[1, 0, 0, 0.8], [0, 0.6, 0, 0]] } } ],
  "idle_noise": { "type": "thermal", "T1": 1e-4, "T2": 8e-5, "t": 3.5e-8 } }
JSON
  expect_success run bell.qasm --noise dev.json --expval "Z0 Z1" || return
  awk '{ exit !($1 > 0.5 && $1 < 1) }' out.txt || fail "<Z0 Z1> under dev.json = $(cat out.txt)"
  expect_success run bell.qasm --noise ibm-like --probabilities || return
  [[ $(wc -l <out.txt) == 4 ]] || fail "ibm-like probabilities: $(cat out.txt)"
}

case_noise_many_qubits_use_trajectories() {
  # 14 qubits: above the density-matrix limit, so trajectories run by themselves (MEAN SE on one line).
  { printf 'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[14];\nh q[0];\n'
    for i in $(seq 0 12); do printf 'cx q[%d], q[%d];\n' "$i" $((i + 1)); done; } >ghz.qasm
  expect_success run ghz.qasm --noise phase_flip:0.01 --expval "Z0 Z13" || return
  awk '{ exit !(NF == 2 && $1 > 0.999999 && $2 < 1e-9) }' out.txt || fail "GHZ-14 <Z0 Z13> under phase flips: $(cat out.txt)"
}

# ---- error cases ----

case_noise_unknown_channel() {
  bell
  expect_error 1 "unknown channel 'dephasing' \(channels: depolarizing" run bell.qasm --noise dephasing:0.1
}

case_noise_probability_out_of_range() {
  bell
  expect_error 1 'depolarizing: p = 1\.5 is outside \[0, 1\]' run bell.qasm --noise depolarizing:1.5
}

case_noise_malformed_json() {
  bell
  printf '{\n  "name": "x"\n  "gate_noise": []\n}\n' >bad.json
  expect_error 1 'bad\.json:3:[0-9]+: malformed JSON' run bell.qasm --noise bad.json
}

case_noise_json_bad_value() {
  bell
  printf '{ "gate_noise": [ { "channel": { "type": "thermal", "T1": 1e-5, "T2": 5e-5, "t": 1e-8 } } ] }\n' >t2.json
  expect_error 1 't2\.json: gate_noise\[0\]\.channel: thermal_relaxation: T2 = 5e-05 exceeds 2\*T1' run bell.qasm --noise t2.json
}

case_noise_density_matrix_too_big() {
  { printf 'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[10];\n'; for i in $(seq 0 9); do printf 'h q[%d];\n' "$i"; done; } >ten.qasm
  QNN_MEMORY_LIMIT=1000000 expect_error 1 'a density matrix of 10 qubits \(double precision\) needs 16\.0 MiB \(16777216 bytes\)' \
    run ten.qasm --noise depolarizing:0.01 --probabilities
}

case_noise_missing_file() {
  bell
  expect_error 1 'no_such\.json' run bell.qasm --noise no_such.json
}

case_noise_trajectories_need_noise() {
  bell
  expect_error 2 'trajectories.*noise' run bell.qasm --trajectories 10
}

run_cases
