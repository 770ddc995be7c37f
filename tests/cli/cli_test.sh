#!/usr/bin/env bash
# End-to-end tests of the `qnn` command line: training, evaluation, circuits and their error cases.
#
#   cli_test.sh QNN_BINARY CASE     run one case (ctest registers one entry per case)
#   cli_test.sh QNN_BINARY all      run every case and print a per-case result
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# A trained model in $SCRATCH/model_run/model.json (1 epoch: fast).
train_small_model() {
  expect_success train --epochs 1 --quiet --out model_run || return 1
  [[ -f model_run/model.json ]] || { fail "train did not write model_run/model.json"; return 1; }
}

# ---- error cases ----

case_csv_missing_cell() {
  printf 'a,b,label\n1,2,x\n3,4,y\n5,,x\n7,8,y\n' >missing.csv
  # Row 4 of the file, column (cell) 2.
  expect_error 1 'missing\.csv:4:2: .*missing' train --data missing.csv --epochs 1 --out out_dir
}

case_csv_non_numeric() {
  printf 'a,b,label\n1,2,x\n3,4,y\n5,6,x\n7,eight,y\n' >text.csv
  expect_error 1 "text\.csv:5:2: .*'eight'" train --data text.csv --epochs 1 --out out_dir
}

case_missing_data_file() {
  expect_error 1 'no_such_file\.csv.*No such file' train --data no_such_file.csv --epochs 1 --out out_dir
}

case_qubits_zero() {
  expect_error 1 'qubit' train --qubits 0 --epochs 1 --out out_dir
}

case_qubits_fewer_than_classes() {
  # Iris has 3 classes and the readout needs one qubit per class.
  expect_error 1 '3 qubits.*got 2' train --qubits 2 --epochs 1 --out out_dir
}

case_qubits_too_many() {
  expect_error 1 '--qubits 40: .*[0-9]+ bytes' train --qubits 40 --epochs 1 --out out_dir
}

case_unwritable_out() {
  # Tests may run as root, which may write anywhere a mode allows: a path below a regular file fails for everyone.
  echo "I am a file" >blocker
  expect_error 1 'blocker/sub' train --epochs 1 --out blocker/sub
  [[ -f blocker && $(cat blocker) == "I am a file" ]] || fail "the regular file in the way was changed"
}

case_lr_nan() {
  expect_error '1|2' 'learning rate|--lr' train --lr nan --epochs 1 --out out_dir
}

case_epochs_not_a_number() {
  expect_error 2 'epochs.*abc|abc.*epochs' train --epochs abc --out out_dir
  [[ ! -e out_dir ]] || fail "a usage error created the output directory"
}

case_unknown_option() {
  expect_error 2 '--bogus' train --bogus --out out_dir
  expect_error 2 '--frobnicate' --frobnicate gates
  expect_error 2 'subcommand|nosuchcommand' nosuchcommand
}

case_eval_missing_model() {
  expect_error 1 'nowhere/model\.json' eval nowhere/model.json
}

case_eval_malformed_model() {
  # Line 3 holds the error: a stray `x` after the value, in column 16.
  printf '{\n  "format": "qnn-model",\n  "version": 1 x\n}\n' >bad.json
  expect_error 1 'bad\.json:3:16: malformed JSON' eval bad.json
  # A truncated file: the error is at the end, on line 2.
  printf '{\n  "format": "qnn-model", "weights": [1, 2' >cut.json
  expect_error 1 'cut\.json:2:[0-9]+: malformed JSON' eval cut.json
}

case_eval_truncated_weights() {
  train_small_model || return
  # Drop the first weight: the line after `"weights": [` (the JSON stays well-formed).
  sed '/"weights": \[/{n;d;}' model_run/model.json >truncated.json
  if cmp -s model_run/model.json truncated.json; then
    fail "could not truncate the weight list (model.json layout changed?)"
    return
  fi
  expect_error 1 "truncated\.json: .*'weights'.*41.*42" eval truncated.json
}

# ---- success cases ----

# Layer-wise growth with quantum natural gradient: 3 layers grown one epoch each, then 2 epochs on all weights.
case_train_layerwise_qng() {
  expect_success train --epochs 2 --epochs-per-layer 1 --optimizer qng --metric full --out lw || return
  local layers
  layers=$(tail -n +2 lw/metrics.csv | cut -d, -f2 | tr '\n' ' ')
  [[ $layers == "1 2 3 3 3 " ]] || fail "layers per epoch in metrics.csv: '$layers', expected '1 2 3 3 3 '"
  grep -q 'quantum natural gradient (full metric' out.txt || fail "train did not report the QNG optimiser"
  expect_error 2 "qng-lambda" train --optimizer qng --qng-lambda 0 --out lw2
}

# A run killed with SIGKILL mid-training and resumed with --resume ends with the same model.json, byte for byte, as a
# run that was never interrupted (parameter-shift gradients make each epoch slow enough to be killed in the middle).
case_train_kill_resume() {
  local args=(train --qubits 5 --layers 3 --epochs 8 --batch 40 --grad parameter-shift --seed 3 --quiet)
  expect_success "${args[@]}" --out whole || return
  "$QNN" "${args[@]}" --out killed >/dev/null 2>&1 &
  local pid=$! waited=0
  until grep -Eq '"epochs_done": *[2-9]' killed/checkpoint.json 2>/dev/null || ((waited > 600)); do
    sleep 0.05
    waited=$((waited + 1))
  done
  kill -9 "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  local done_epochs
  done_epochs=$(sed -n 's/.*"epochs_done": *\([0-9]*\).*/\1/p' killed/checkpoint.json)
  echo "  killed after epoch $done_epochs of 8"
  # SIGKILL between creating a temporary and renaming it leaves the temporary (the file it replaces is intact); the
  # resumed run removes it.
  expect_success train --resume killed --quiet || return
  local leftovers
  leftovers=$(find killed -name '.*tmp*' | wc -l)
  [[ $leftovers == 0 ]] || fail "the resumed run left $leftovers temporary files"

  cmp -s whole/model.json killed/model.json || fail "resumed model.json differs from the uninterrupted run's"
  cmp -s whole/metrics.csv killed/metrics.csv ||
    diff <(cut -d, -f1-9 whole/metrics.csv) <(cut -d, -f1-9 killed/metrics.csv) >/dev/null ||
    fail "resumed metrics.csv differs from the uninterrupted run's (beyond timings)"
  expect_error 2 "resume" train --resume killed --epochs 3
  expect_error 1 "checkpoint" train --resume whole_missing_dir
}

case_train_many_epochs_writes_the_last() {
  # Writes of the growing checkpoint and metrics are skipped while they would cost more than a ninth of the run; the
  # last epoch is always written, and the history holds every epoch.
  expect_success train --epochs 400 --quiet --out long || return
  grep -Eq '"epochs_done": *400[,}[:space:]]' long/checkpoint.json || fail "checkpoint.json is not at epoch 400"
  local rows
  rows=$(wc -l <long/metrics.csv)
  [[ $rows == 401 ]] || fail "metrics.csv has $rows lines, expected a header and 400 epochs"
}

case_train_and_eval() {
  expect_success train --epochs 3 --out run || return
  for f in model.json summary.json metrics.csv; do
    [[ -s run/$f ]] || fail "train did not write run/$f"
  done
  local listing
  listing=$(find run -mindepth 1 -printf '%f\n' | sort | tr '\n' ' ')
  [[ $listing == "accuracy.svg checkpoint.json loss.svg metrics.csv model.json summary.json " ]] ||
    fail "unexpected files in run/ (temp files left?): $listing"
  grep -q '<path d=' run/loss.svg && grep -q '</svg>' run/accuracy.svg || fail "train wrote no loss/accuracy curves"
  for key in train_accuracy test_accuracy loss epochs seconds; do
    grep -Eq "\"$key\": *[0-9]" run/summary.json || fail "summary.json lacks a numeric \"$key\": $(cat run/summary.json)"
  done
  grep -Eq '"epochs": *3[,}[:space:]]' run/summary.json || fail "summary.json does not record 3 epochs"
  local rows
  rows=$(wc -l <run/metrics.csv)
  [[ $rows == 4 ]] || fail "metrics.csv has $rows lines, expected a header and 3 epochs"
  head -n 1 run/metrics.csv |
    grep -q '^epoch,layers,learning_rate,train_loss,train_accuracy,validation_loss,validation_accuracy,test_loss,test_accuracy,seconds$' ||
    fail "metrics.csv header: $(head -n 1 run/metrics.csv)"

  # qnn eval rebuilds the same split and must report the accuracies summary.json recorded.
  expect_success eval run/model.json || return
  cp out.txt eval.txt
  local summary_test summary_train eval_test eval_train
  summary_test=$(sed -n 's/.*"test_accuracy": *\([-0-9.eE+]*\).*/\1/p' run/summary.json)
  summary_train=$(sed -n 's/.*"train_accuracy": *\([-0-9.eE+]*\).*/\1/p' run/summary.json)
  eval_test=$(sed -n 's/^test accuracy \([0-9.]*\) .*/\1/p' eval.txt)
  eval_train=$(sed -n 's/^train accuracy \([0-9.]*\) .*/\1/p' eval.txt)
  if [[ -z $summary_test || -z $eval_test || -z $summary_train || -z $eval_train ]]; then
    fail "could not read accuracies (summary: '$summary_test'/'$summary_train', eval: '$eval_test'/'$eval_train')"
    sed 's/^/    | /' eval.txt >&2
    return
  fi
  [[ $(printf '%.4f' "$summary_test") == "$eval_test" ]] ||
    fail "eval test accuracy $eval_test != summary.json test_accuracy $summary_test"
  [[ $(printf '%.4f' "$summary_train") == "$eval_train" ]] ||
    fail "eval train accuracy $eval_train != summary.json train_accuracy $summary_train"
  echo "  ok: test accuracy $eval_test (eval) = $summary_test (summary.json)"
  listing=$(find run -mindepth 1 -printf '%f\n' | sort | tr '\n' ' ')
  [[ $listing == "accuracy.svg checkpoint.json loss.svg metrics.csv model.json summary.json " ]] ||
    fail "eval changed run/: $listing"
}

case_gates() {
  expect_success gates || return
  for g in cx rzz ry h; do
    grep -Eq "^$g +[0-9]" out.txt || fail "qnn gates does not list $g"
  done
  grep -q '^unitary' out.txt && fail "qnn gates lists the internal unitary kind"
  echo "  ok: qnn gates lists $(($(wc -l <out.txt) - 1)) gates"
}

case_help() {
  expect_success --help || return
  for word in train eval gates; do
    grep -q "$word" out.txt || fail "qnn --help does not mention $word"
  done
  expect_success train --help || return
  grep -q -- '--qubits' out.txt || fail "qnn train --help does not mention --qubits"
  expect_success --version || return
  grep -q '^qnn [0-9]' out.txt || fail "qnn --version printed: $(cat out.txt)"
  echo "  ok: --help, train --help, --version"
}

# ---- qnn run (OpenQASM) ----

write_bell() {
  printf 'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[2];\ncreg c[2];\nh q[0];\ncx q[0],q[1];\nmeasure q -> c;\n' >bell.qasm
}

# near VALUE WANT: |VALUE − WANT| < 1e-9
near() { awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(a != "" && d < 1e-9) }'; }

case_run_probabilities() {
  write_bell
  expect_success run bell.qasm --probabilities || return
  [[ $(cat out.txt) == $'00 0.5\n11 0.5' ]] || fail "Bell probabilities: $(cat out.txt)"
  expect_success run bell.qasm --statevector || return
  [[ $(wc -l <out.txt) == 4 ]] || fail "Bell statevector has $(wc -l <out.txt) lines"
  near "$(awk '$1 == 3 { print $2 }' out.txt)" 0.707106781186548 || fail "amplitude of |11>: $(cat out.txt)"
  echo "  ok: --probabilities and --statevector of a Bell pair"
}

case_run_shots() {
  write_bell
  expect_success run bell.qasm --shots 1000 --seed 5 || return
  cp out.txt first.txt
  local total
  total=$(awk '{ s += $2 } END { print s }' out.txt)
  [[ $total == 1000 ]] || fail "counts sum to $total, not 1000: $(cat out.txt)"
  grep -Evq '^(00|11) [0-9]+$' out.txt && fail "an outcome other than 00/11: $(cat out.txt)"
  expect_success run bell.qasm --shots 1000 --seed 5 || return
  cmp -s out.txt first.txt || fail "the same seed gave different counts"
  # Mid-circuit measurement with feedback runs shot by shot: always 01 (bit 0 rightmost).
  printf 'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[2];\ncreg m[1];\ncreg o[1];\nx q[0];\nmeasure q[0] -> m[0];\nif (m == 1) x q[1];\nreset q[0];\nmeasure q[0] -> o[0];\nmeasure q[1] -> m[0];\n' >feedback.qasm
  expect_success run feedback.qasm --shots 20 || return
  [[ $(cat out.txt) == "01 20" ]] || fail "feedback circuit: $(cat out.txt)"
  echo "  ok: --shots with --seed, and shot-by-shot feedback"
}

case_run_expval() {
  write_bell
  expect_success run bell.qasm --expval "Z0 Z1 + 0.5 X0" || return
  near "$(cat out.txt)" 1 || fail "<Z0 Z1 + 0.5 X0> of a Bell pair: $(cat out.txt)"
  expect_success run bell.qasm --expval "X0 X1" --precision single || return
  awk '{ exit !($1 > 0.999999 && $1 < 1.000001) }' out.txt || fail "<X0 X1> in single precision: $(cat out.txt)"
  expect_error 1 'qubit 5' run bell.qasm --expval "Z5"
}

case_run_qasm3_gradient() {
  printf 'OPENQASM 3;\ninclude "stdgates.inc";\ninput float[64] theta;\ninput float phi;\nqubit[2] q;\nrx(theta) q[0];\nctrl @ ry(2 * phi) q[0], q[1];\n' >param.qasm
  expect_success run param.qasm --expval "Z0" --bind theta=0.3,phi=0.1 || return
  near "$(cat out.txt)" 0.955336489125606 || fail "<Z0> = cos(0.3): $(cat out.txt)"
  local grad
  for method in adjoint parameter-shift finite-diff; do
    expect_success run param.qasm --expval "Z0" --bind theta=0.3,phi=0.1 --gradient --grad "$method" || return
    [[ $(awk '{ print $1 }' out.txt | tr '\n' ' ') == "theta phi " ]] || fail "$method: gradient lines: $(cat out.txt)"
    grad=$(awk '$1 == "theta" { print $2 }' out.txt)
    awk -v g="$grad" 'BEGIN { d = g + 0.29552020666134; exit !(d < 1e-6 && d > -1e-6) }' ||
      fail "$method: d<Z0>/dtheta = $grad, want -sin(0.3)"
    near "$(awk '$1 == "phi" { print $2 }' out.txt)" 0 || fail "$method: d<Z0>/dphi should be 0: $(cat out.txt)"
  done
  expect_error 1 "'phi' is not bound" run param.qasm --expval "Z0" --bind theta=0.3
  expect_error 1 "'psi' is not an input parameter" run param.qasm --expval "Z0" --bind theta=0.3,phi=1,psi=2
  echo "  ok: --bind and --gradient with three methods"
}

case_run_errors() {
  printf 'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[2];\nfoo q[0];\n' >bad.qasm
  expect_error 1 "bad\.qasm:4:1: unknown gate 'foo'" run bad.qasm
  printf 'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[2];\ncx q[0],q[2];\n' >range.qasm
  expect_error 1 "range\.qasm:4:11: index 2 out of range" run range.qasm --probabilities
  printf 'qreg q[1];\ncreg c[1];\nmeasure q -> c;\nreset q;\n' >mid.qasm
  expect_error 1 'mid\.qasm: --probabilities needs one final state' run mid.qasm --probabilities
  expect_error 1 'nowhere\.qasm' run nowhere.qasm
  expect_error 2 'gradient|expval' run mid.qasm --gradient
  head -c 3000 /dev/urandom >noise.qasm
  run run noise.qasm
  ((rc == 1)) || fail "a random binary file: exit status $rc, expected 1"
}

case_draw() {
  write_bell
  expect_success draw bell.qasm || return
  local want
  want=$'q[0]: ─H─●─M─\n         │\nq[1]: ───⊕─M─'
  [[ $(cat out.txt) == "$want" ]] || fail "Bell drawing:"$'\n'"$(cat out.txt)"
  # 30 single-qubit gates on one wire: --width 40 cuts it into blocks no wider than 40 characters.
  { printf 'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[1];\n'; for i in $(seq 30); do echo 'h q[0];'; done; } >long.qasm
  expect_success draw long.qasm --width 40 || return
  local widest blocks
  # Characters, not bytes: drop UTF-8 continuation bytes before measuring.
  widest=$(sed 's/[\x80-\xbf]//g' out.txt | awk '{ n = length($0); if (n > m) m = n } END { print m }')
  blocks=$(grep -c '^q\[0\]' out.txt)
  ((blocks > 1)) || fail "--width 40 did not wrap 30 gates: $(cat out.txt)"
  ((widest <= 40)) || fail "--width 40 drew a line of $widest characters: $(cat out.txt)"
  echo "  ok: Bell drawing; 30 gates wrap into $blocks blocks of at most $widest characters"
}

case_draw_errors() {
  printf 'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[2];\nh q[0]\ncx q[0],q[1];\n' >bad.qasm
  expect_error 1 'bad\.qasm:5:1' draw bad.qasm
  expect_error 1 'nowhere\.qasm' draw nowhere.qasm
  write_bell
  expect_error 2 'width' draw bell.qasm --width 3
}

case_export() {
  train_small_model || return
  # OpenQASM 3 with the inputs free: raw features, the standardisation folded into the angles.
  expect_success export model_run/model.json --qasm 3 --out m3.qasm || return
  grep -q '^OPENQASM 3' m3.qasm || fail "m3.qasm does not start with OPENQASM 3: $(head -n 2 m3.qasm)"
  for j in 0 1 2 3; do grep -q "^input float\[64\] x_$j;" m3.qasm || fail "m3.qasm lacks input x_$j"; done
  grep -q '^c\[3\] = measure q\[3\];' m3.qasm || fail "m3.qasm does not measure q[3]"
  # OpenQASM 2 with sample 0 bound, to stdout.
  expect_success export model_run/model.json --qasm 2 --input 0 || return
  cp out.txt m2.qasm
  grep -q '^OPENQASM 2.0;' m2.qasm || fail "export --qasm 2 printed: $(head -n 2 m2.qasm)"
  grep -q 'x_' m2.qasm && fail "m2.qasm has unbound inputs"
  # Binding sample 0's raw features to the free inputs gives the same circuit as exporting sample 0.
  local features bind e2 e3
  features=$(sed -n 's/^\/\/ input: .*raw features \[\(.*\)\]$/\1/p' m2.qasm | tr -d ' ')
  [[ -n $features ]] || { fail "m2.qasm does not note its raw features"; return; }
  bind=$(echo "$features" | awk -F, '{ for (j = 1; j <= NF; ++j) printf "%sx_%d=%s", (j > 1 ? "," : ""), j - 1, $j }')
  expect_success run m2.qasm --expval "Z0 + 0.5 Z1 Z2" || return
  e2=$(cat out.txt)
  expect_success run m3.qasm --bind "$bind" --expval "Z0 + 0.5 Z1 Z2" || return
  e3=$(cat out.txt)
  near "$e2" "$e3" || fail "<Z0 + 0.5 Z1 Z2>: $e2 (OpenQASM 2, sample 0) != $e3 (OpenQASM 3 bound to $bind)"
  expect_success export model_run/model.json --qasm 2 --features "$features" --no-measure --out m2f.qasm || return
  grep -q 'measure' m2f.qasm && fail "--no-measure still measures"
  expect_success draw m3.qasm || return
  [[ $(grep -c '^q\[' out.txt) -ge 4 ]] || fail "qnn draw of the exported model: $(cat out.txt)"
  echo "  ok: export --qasm 3 (free inputs) and --qasm 2 (sample 0) agree: <Z0 + 0.5 Z1 Z2> = $e2"
}

case_export_errors() {
  train_small_model || return
  expect_error 2 'OpenQASM 2 has no input parameters' export model_run/model.json --qasm 2
  expect_error 2 '--qasm' export model_run/model.json --qasm 4
  expect_error 2 "'abc' is not a number" export model_run/model.json --qasm 2 --features "1,abc,3,4"
  expect_error 1 '3 features, the model expects 4' export model_run/model.json --qasm 2 --features "1,2,3"
  expect_error 1 '--input 1000: .*150 samples' export model_run/model.json --qasm 2 --input 1000
  expect_error 1 'nowhere/model\.json' export nowhere/model.json --qasm 3
  echo "I am a file" >blocker
  expect_error 1 'blocker/out\.qasm' export model_run/model.json --qasm 3 --out blocker/out.qasm
}

# ---- qnn predict ----

case_predict() {
  expect_success train --epochs 30 --quiet --out model_run || return
  # Three iris samples (setosa, versicolor, virginica) with a header and their labels, and the same without labels.
  printf 'sepal_length,sepal_width,petal_length,petal_width,label\n5.1,3.5,1.4,0.2,0\n6.4,3.2,4.5,1.5,1\n7.7,3.0,6.1,2.3,2\n' >labelled.csv
  printf '5.1,3.5,1.4,0.2\n6.4,3.2,4.5,1.5\n7.7,3.0,6.1,2.3\n' >plain.csv
  expect_success predict model_run/model.json --input plain.csv || return
  [[ $(wc -l <out.txt) == 4 ]] || fail "predict printed $(wc -l <out.txt) lines, expected a header and 3 rows"
  head -n 1 out.txt | grep -q '^row,prediction,p_' || fail "predict header: $(head -n 1 out.txt)"
  local sums
  sums=$(tail -n +2 out.txt | awk -F, '{ s = 0; for (i = 3; i <= NF; ++i) s += $i; printf "%.6f ", s }')
  [[ $sums == "1.000000 1.000000 1.000000 " ]] || fail "class probabilities do not sum to 1: $sums"
  expect_success predict model_run/model.json --input labelled.csv --out preds/p.csv || return
  grep -q 'accuracy against the label column: 1.0000 (3 samples)' out.txt || fail "predict accuracy: $(cat out.txt)"
  [[ -s preds/p.csv ]] || fail "predict --out wrote nothing"
  printf '5.1,3.5,1.4\n' >short.csv
  expect_error 1 'short\.csv:1:1: expected 4 feature values' predict model_run/model.json --input short.csv
  printf '5.1,3.5,1.4,0.2\n5.1,abc,1.4,0.2\n' >bad.csv
  expect_error 1 "bad\\.csv:2:2: not a finite number: 'abc'" predict model_run/model.json --input bad.csv
}

# ---- qnn diagnose ----

case_diagnose() {
  expect_success diagnose --min-qubits 2 --max-qubits 5 --layers 1,2 --samples 30 --svg plots/variance.svg \
    --expressibility --entanglement --expr-qubits 3 --pairs 300 || return
  local rows
  rows=$(grep -cE '^hea-ring +[12] +[2-5] +[0-9]+ +[0-9.]+e[-+][0-9]+ +[0-9.]+e[-+][0-9]+$' out.txt)
  [[ $rows == 8 ]] || fail "expected 8 variance rows (2 depths x 4 qubit counts), got $rows:$(sed 's/^/\n    | /' out.txt)"
  grep -qE '^hea-ring +2 +-[0-9.]+ \+- [0-9.]+ ' out.txt || fail "no fitted slope for 2 layers: $(cat out.txt)"
  local slope
  slope=$(awk '$1 == "hea-ring" && $2 == 2 && $4 == "+-" { print $3; exit }' out.txt)
  awk -v s="$slope" 'BEGIN { exit !(s < -0.3) }' || fail "global-cost slope '$slope' is not clearly negative"
  grep -qE '^hea-ring +1 +[0-9]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+$' out.txt ||
    fail "no expressibility/entanglement row: $(cat out.txt)"
  [[ -s plots/variance.svg ]] || { fail "diagnose did not write plots/variance.svg"; return; }
  head -c 200 plots/variance.svg | grep -q '<svg xmlns="http://www.w3.org/2000/svg"' || fail "variance.svg is not SVG"
  [[ $(tail -n 1 plots/variance.svg) == "</svg>" ]] || fail "variance.svg is truncated"
  local series
  series=$(grep -c '<g class="series"' plots/variance.svg)
  [[ $series == 4 ]] || fail "variance.svg has $series series, expected 4 (2 costs x 2 depths)"
  grep -q 'global cost, hea-ring, 2 layers' plots/variance.svg || fail "variance.svg lacks the legend"
  [[ $(ls plots) == variance.svg ]] || fail "temporary files left next to the plot: $(ls plots)"
  # Same seed, same numbers.
  cp out.txt first.txt
  expect_success diagnose --min-qubits 2 --max-qubits 5 --layers 1,2 --samples 30 --svg plots/variance.svg \
    --expressibility --entanglement --expr-qubits 3 --pairs 300 || return
  cmp -s first.txt out.txt || fail "two runs with the same seed differ"
  expect_success diagnose --ansatz qcnn,ttn --min-qubits 2 --max-qubits 4 --samples 10 --parameter first || return
  grep -qE '^qcnn ' out.txt && grep -qE '^ttn ' out.txt || fail "no rows for qcnn and ttn: $(cat out.txt)"
}

case_diagnose_errors() {
  expect_error 2 'bogus.*hea-ring' diagnose --ansatz bogus
  expect_error 1 'min-qubits 6 .*max-qubits 3' diagnose --min-qubits 6 --max-qubits 3
  expect_error 2 'samples' diagnose --samples 1
  expect_error 2 'layers' diagnose --layers 0
  expect_error 2 'rotation' diagnose --rotation rx
  echo "I am a file" >blocker
  expect_error 1 'blocker' diagnose --max-qubits 3 --samples 5 --svg blocker/plot.svg
}

# ---- data sets and quantum kernels ----

case_kernel() {
  expect_success kernel --data moons --encoding zz --seed 3 || return
  local test_acc
  test_acc=$(sed -n 's/^test accuracy \([0-9.]*\) .*/\1/p' out.txt)
  [[ -n $test_acc ]] || { fail "kernel printed no test accuracy:"; sed 's/^/    | /' out.txt >&2; return; }
  awk -v a="$test_acc" 'BEGIN { exit !(a >= 0.9) }' || fail "kernel --data moons test accuracy $test_acc < 0.9"
  grep -q '^train accuracy [0-9.]* (160 samples)' out.txt || fail "kernel did not report 160 training samples"
  grep -q 'zz on 2 qubits, 2 reps, full pairs' out.txt || fail "kernel did not describe the encoding"
  # Ridge, another encoding, class subsets and PCA on the bundled digits.
  expect_success kernel --data digits --classes 0,1 --pca 4 --model ridge --encoding iqp --reps 1 || return
  grep -q '^qnn kernel: digits, 360 samples .*4 features (PCA of 64), 2 classes' out.txt ||
    fail "kernel --classes 0,1 --pca 4: $(head -n 1 out.txt)"
  test_acc=$(sed -n 's/^test accuracy \([0-9.]*\) .*/\1/p' out.txt)
  awk -v a="$test_acc" 'BEGIN { exit !(a >= 0.95) }' || fail "digits 0-vs-1 kernel test accuracy $test_acc < 0.95"
  expect_success kernel --data iris --encoding amplitude --model svm --C 10 || return
  grep -q 'amplitude on 2 qubits' out.txt || fail "amplitude encoding of 4 features should use 2 qubits"
}

case_kernel_errors() {
  expect_error 1 "unknown encoding 'fourier'.*angle-x.*amplitude" kernel --encoding fourier
  expect_error 1 'more features than the encoding can hold' kernel --data iris --encoding zz --qubits 3
  expect_error 1 'pca' kernel --data breast_cancer --encoding zz
  expect_error 1 "unknown class '7'" kernel --data iris --classes 0,7
  expect_error 2 'model' kernel --model tree
  expect_error 1 'no_such\.csv' kernel --data no_such.csv
}

case_train_wine() {
  expect_success train --data wine --epochs 2 --out wine_run || return
  grep -q 'wine, 178 samples (142 train / 36 test), 13 features, 3 classes' out.txt ||
    fail "train --data wine: $(head -n 1 out.txt)"
  [[ -s wine_run/model.json ]] || fail "train --data wine wrote no model"
  expect_success eval wine_run/model.json || return
  grep -q 'test accuracy [0-9.]* (36 samples)' out.txt || fail "eval of the wine model: $(cat out.txt)"
}

run_cases
