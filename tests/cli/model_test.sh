#!/usr/bin/env bash
# End-to-end tests of the configurable model: qnn train with encodings, ansätze, readouts, losses, dense layers and
# PCA, and qnn eval / predict / export / --resume of what it writes; the errors of bad configurations.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

case_hybrid_model_trains_evaluates_and_predicts() {
  expect_success train --data digits:classes=0-3 --pca 6 --hidden 4:tanh --qubits 4 --layers 1 --readout z-all \
    --head 6:relu --loss cross-entropy --epochs 2 --quiet --out run || return
  grep -q '"pca_components": 6' run/model.json || fail "model.json lacks the PCA"
  grep -q '"version": 2' run/model.json || fail "model.json is not version 2"
  local learned test
  learned=$(sed -n 's/.*test accuracy \([0-9.]*\).*/\1/p' out.txt)
  expect_success eval run/model.json || return
  test=$(sed -n 's/^test accuracy \([0-9.]*\).*/\1/p' out.txt)
  [[ $learned == "$test" ]] || fail "eval test accuracy $test differs from train's $learned"
  grep -q 'dense 4:tanh' out.txt || fail "eval does not describe the hybrid model: $(head -1 out.txt)"
  # Shot-based readout: an estimate near the exact score.
  expect_success eval run/model.json --shots 2000 --seed 3 || return
  grep -q 'estimated from 2000 shots' out.txt || fail "eval --shots did not say so"
  printf '%s\n' "$(seq -s, 0 63 | sed 's/[0-9]*/1/g')" >rows.csv
  expect_success predict run/model.json --input rows.csv || return
  [[ $(head -1 out.txt) == row,prediction,p_0,p_1,p_2,p_3 ]] || fail "predict header: $(head -1 out.txt)"
  expect_success export run/model.json --qasm 3 || return
  grep -q "circuit's inputs" out.txt || fail "export does not say the inputs are the circuit's"
}

case_every_readout_and_loss_trains() {
  local spec
  for spec in "--readout probabilities --loss fidelity" "--readout parity --loss hinge" \
    "--readout Z0*Z1;X1 --loss mse" "--readout z --loss mse-pm1" "--encoding zz --ansatz hea-ring --rotation ry-rz" \
    "--encoding dense --reupload --reupload-scaling scale" "--ansatz qcnn --encoding iqp" "--ansatz ttn --readout probs"; do
    # shellcheck disable=SC2086
    expect_success train --data xor --qubits 2 --layers 2 $spec --epochs 1 --quiet --out "r" || return
    expect_success eval r/model.json || { fail "eval after train $spec"; return; }
  done
}

# A hybrid run (PCA, dense layers, re-uploading, probabilities readout, MSE) killed mid-training and resumed ends with
# the same model.json as the uninterrupted run (parameter-shift gradients make each epoch slow enough to kill).
case_configurable_run_resumes() {
  local args=(train --data digits:classes=0,1 --pca 6 --hidden 5:tanh --qubits 5 --layers 2 --encoding angle-y
    --reupload --reupload-scaling scale --readout probabilities --loss mse --epochs 6 --batch 40
    --grad parameter-shift --seed 3 --quiet)
  expect_success "${args[@]}" --out whole || return
  "$QNN" "${args[@]}" --out killed >/dev/null 2>&1 &
  local pid=$! waited=0
  until grep -Eq '"epochs_done": *[2-9]' killed/checkpoint.json 2>/dev/null || ((waited > 600)); do
    sleep 0.05
    waited=$((waited + 1))
  done
  kill -9 "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  echo "  killed after epoch $(sed -n 's/.*"epochs_done": *\([0-9]*\).*/\1/p' killed/checkpoint.json) of 6"
  expect_success train --resume killed --quiet || return
  cmp -s whole/model.json killed/model.json || fail "resumed model.json differs from the uninterrupted run's"
}

case_model_errors() {
  expect_error 1 'unknown encoding .foo.' train --data iris --encoding foo --out e
  expect_error 1 'unknown ansatz .bar.' train --data iris --ansatz bar --out e
  expect_error 1 'unknown loss .l1.' train --data iris --loss l1 --out e
  expect_error 1 'unknown readout .qq.' train --data iris --readout qq --out e
  expect_error 1 'unknown activation .swish.' train --data iris --hidden 4:swish --out e
  expect_error 1 'more features than the encoding can hold.*at least 30 qubits' train --data breast_cancer \
    --encoding angle-y --out e
  expect_error 1 'fidelity' train --data iris --loss fidelity --out e
  expect_error 1 'amplitude' train --data iris --encoding amplitude --out e
  expect_error 1 'pca 9.*4 features' train --data iris --pca 9 --out e
  expect_error 1 'qubit 7' train --data iris --readout 'Z7' --out e
  expect_error 2 'reupload' train --data iris --reupload-scaling affine --out e
}

case_newer_model_version_is_refused() {
  expect_success train --data iris --epochs 1 --quiet --out m || return
  sed 's/"version": 2/"version": 3/' m/model.json >newer.json
  expect_error 1 'newer.json: model format version 3 is newer than this qnn reads \(up to 2\)' eval newer.json
}

run_cases
