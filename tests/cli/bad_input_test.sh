#!/usr/bin/env bash
# Bad input to every reader and option of the `qnn` binary: truncated and binary files, numbers beyond double's range,
# NaN/Inf in data and parameters, negative and absurd sizes, states that cannot fit in memory, outputs that cannot be
# written, a run killed mid-training. Each case: exit status 1 or 2 (never a crash), one `qnn: error:` line, no file of
# the user's lost or half-written.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

bell_qasm() { printf 'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[2];\ncreg c[2];\nh q[0];\ncx q[0], q[1];\n' >"$1"; }
param_qasm() { printf 'OPENQASM 3.0;\ninclude "stdgates.inc";\ninput float theta;\nqubit[1] q;\nrx(theta) q[0];\n' >"$1"; }
# 4096 pseudo-random bytes (the same on every run): binary garbage where text is expected.
garbage() { awk 'BEGIN { srand(11); for (i = 0; i < 4096; ++i) printf "%c", int(rand() * 255) + 1 }' >"$1"; }
# A small labelled CSV with FEATURE as the first cell of its fourth data row.
csv_with() {
  printf 'a,b,label\n0.1,0.2,x\n0.3,0.4,y\n0.5,0.6,x\n%s,0.8,y\n0.2,0.1,x\n0.4,0.3,y\n' "$1" >"$2"
}
# A 1-epoch model in model_run/ (fast).
small_model() {
  expect_success train --epochs 1 --quiet --out model_run || return 1
  [[ -f model_run/model.json ]] || { fail "train did not write model_run/model.json"; return 1; }
}
# No temporary or probe files left in DIR.
no_leftovers() {
  local n
  n=$(find "$1" -name '.*tmp*' -o -name '.qnn-probe*' 2>/dev/null | wc -l)
  [[ $n == 0 ]] || fail "$n temporary files left in $1"
}

# ---- OpenQASM files (run, draw) ----

case_bad_qasm_truncated() {
  printf 'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[2];\ncx q[0], q[' >cut.qasm
  expect_error 1 'cut\.qasm:4:[0-9]+: ' run cut.qasm --shots 10
}

case_bad_qasm_binary() {
  garbage junk.qasm
  expect_error 1 'junk\.qasm:[0-9]+:[0-9]+: ' run junk.qasm --shots 10
}

case_bad_qasm_binary_draw() {
  garbage junk.qasm
  expect_error 1 'junk\.qasm:[0-9]+:[0-9]+: ' draw junk.qasm
}

case_bad_qasm_empty() {
  : >empty.qasm
  expect_error 1 'empty\.qasm' run empty.qasm --shots 10
}

case_bad_qasm_angle_overflow() {
  printf 'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[1];\nrx(1e400) q[0];\n' >big.qasm
  expect_error 1 'big\.qasm:4:[0-9]+: .*1e400' run big.qasm --probabilities
}

case_bad_qasm_angle_inf() {
  printf 'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[1];\nrx(1e300*1e300) q[0];\n' >inf.qasm
  expect_error 1 'inf\.qasm:4:[0-9]+: .*(finite|inf)' run inf.qasm --probabilities
}

case_bad_qasm_register_absurd() {
  printf 'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[99999999999999999999];\nh q[0];\n' >absurd.qasm
  expect_error 1 'absurd\.qasm:3:[0-9]+: ' run absurd.qasm --shots 10
}

case_bad_qasm_60_qubits() {
  printf 'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[60];\nh q[0];\n' >big.qasm
  expect_error 1 '60 qubits|[0-9]+ (bytes|[KMGTPE]iB)' run big.qasm --probabilities
}

case_bad_qasm_memory_limit() {
  # 20 qubits need 16 MiB of amplitudes; QNN_MEMORY_LIMIT says only 1 MiB is available.
  printf 'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[20];\nh q[0];\n' >twenty.qasm
  QNN_MEMORY_LIMIT=1048576 expect_error 1 '[0-9.]+ (bytes|[KMGT]iB)' run twenty.qasm --probabilities
}

case_bad_qasm_directory() {
  mkdir dir.qasm
  expect_error 1 'dir\.qasm.*(directory|Is a)' run dir.qasm --shots 10
}

case_bad_qasm_include_directory() {
  # An ifstream opens a directory and reads nothing: the include used to read as an empty file.
  mkdir gates.inc
  printf 'OPENQASM 2.0;\ninclude "qelib1.inc";\ninclude "gates.inc";\nqreg q[1];\nh q[0];\n' >inc.qasm
  expect_error 1 'inc\.qasm:3:9: .*gates\.inc.*Is a directory' run inc.qasm --shots 10
  expect_error 1 'inc\.qasm:3:9: .*gates\.inc.*Is a directory' draw inc.qasm
  printf 'OPENQASM 2.0;\ninclude "/dev/zero";\nqreg q[1];\n' >dev.qasm
  expect_error 1 'dev\.qasm:2:9: .*/dev/zero.*not a regular file' run dev.qasm --shots 10
}

# ---- options of `qnn run` ----

case_bad_run_shots_negative() {
  bell_qasm bell.qasm
  expect_error 2 'shots' run bell.qasm --shots -1
}

case_bad_run_shots_absurd() {
  bell_qasm bell.qasm
  expect_error 2 'shots' run bell.qasm --shots 99999999999999999999
}

case_bad_run_bind_nan() {
  param_qasm p.qasm
  expect_error '1|2' 'theta.*nan|nan.*theta' run p.qasm --expval Z0 --bind theta=nan
}

case_bad_run_bind_inf() {
  param_qasm p.qasm
  expect_error '1|2' 'theta.*inf|inf.*theta' run p.qasm --expval Z0 --bind theta=inf
}

case_bad_run_bind_overflow() {
  param_qasm p.qasm
  expect_error '1|2' 'theta.*1e400|1e400.*theta' run p.qasm --expval Z0 --bind theta=1e400
}

case_bad_run_expval_qubit_out_of_range() {
  bell_qasm bell.qasm
  expect_error 1 'qubit 5 .*2 qubits' run bell.qasm --expval Z5
  # Beyond 64 too: the message names the circuit's qubit count, not only the observable parser's limit.
  expect_error 1 'observable:1:1: qubit 99 .*2 qubits' run bell.qasm --expval Z99
  expect_error 1 'observable:1:6: qubit 99999999999999999999 .*2 qubits' run bell.qasm --expval 'Z0 + Z99999999999999999999'
  printf 'OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[1];\nh q[0];\n' >one.qasm
  expect_error 1 'observable:1:4: qubit 1 .*1 qubit$' run one.qasm --expval 'X0 Z1'
}

case_bad_run_expval_coefficient_overflow() {
  # 1e400 reads as inf; inf · ⟨Z⟩ would print nan and exit 0.
  bell_qasm bell.qasm
  expect_error 1 'observable:1:[0-9]+: .*1e400.*finite' run bell.qasm --expval '1e400*Z0'
}

case_bad_run_width_absurd() {
  bell_qasm bell.qasm
  expect_error 2 'width' draw bell.qasm --width 1000000000000
}

# ---- noise models (--noise spec and JSON file) ----

case_bad_noise_p_nan() {
  bell_qasm bell.qasm
  expect_error '1|2' 'nan' run bell.qasm --probabilities --noise depolarizing:nan
}

case_bad_noise_p_inf() {
  bell_qasm bell.qasm
  expect_error '1|2' 'inf' run bell.qasm --probabilities --noise bit_flip:inf
}

case_bad_noise_p_negative() {
  bell_qasm bell.qasm
  expect_error '1|2' '-0\.1' run bell.qasm --probabilities --noise phase_flip:-0.1
}

case_bad_noise_json_truncated() {
  bell_qasm bell.qasm
  printf '{ "gate_noise": [ { "channel": { "type": "depolarizing", "p": 0.0' >cut.json
  expect_error 1 'cut\.json:1:[0-9]+: ' run bell.qasm --probabilities --noise cut.json
}

case_bad_noise_json_binary() {
  bell_qasm bell.qasm
  garbage junk.json
  expect_error 1 'junk\.json' run bell.qasm --probabilities --noise junk.json
}

case_bad_noise_json_overflow() {
  bell_qasm bell.qasm
  printf '{ "gate_noise": [ { "channel": { "type": "depolarizing", "p": 1e400 } } ] }\n' >big.json
  expect_error 1 'big\.json' run bell.qasm --probabilities --noise big.json
}

case_bad_noise_trajectories_zero() {
  bell_qasm bell.qasm
  expect_error 2 'trajectories' run bell.qasm --shots 10 --noise depolarizing:0.01 --trajectories 0
}

# ---- training data and options ----

case_bad_csv_truncated() {
  printf 'a,b,label\n0.1,0.2,x\n0.3,0.4,y\n0.5,0.6,x\n0.7,0.' >cut.csv
  expect_error 1 'cut\.csv:5:' train --data cut.csv --qubits 2 --epochs 1 --out out_dir
  [[ ! -e out_dir ]] || fail "a bad data file created the output directory"
}

case_bad_csv_binary() {
  garbage junk.csv
  expect_error 1 'junk\.csv' train --data junk.csv --epochs 1 --out out_dir
}

case_bad_csv_empty() {
  : >empty.csv
  expect_error 1 'empty\.csv' train --data empty.csv --epochs 1 --out out_dir
}

case_bad_csv_header_only() {
  printf 'a,b,label\n' >header.csv
  expect_error 1 'header\.csv' train --data header.csv --epochs 1 --out out_dir
}

case_bad_csv_nan_feature() {
  csv_with nan nan.csv
  expect_error 1 'nan\.csv:5:1: .*nan' train --data nan.csv --qubits 2 --epochs 1 --out out_dir
}

case_bad_csv_inf_feature() {
  csv_with -inf inf.csv
  expect_error 1 'inf\.csv:5:1: .*inf' train --data inf.csv --qubits 2 --epochs 1 --out out_dir
}

case_bad_csv_overflow() {
  csv_with 1e400 big.csv
  expect_error 1 'big\.csv:5:1: .*1e400' train --data big.csv --qubits 2 --epochs 1 --out out_dir
}

case_bad_csv_huge_values() {
  # A difference of two values beyond double's range: the feature cannot be standardised.
  printf 'a,b,label\n1.7e308,1,x\n-1.7e308,2,y\n-1.7e308,3,x\n-1.7e308,4,y\n-1.7e308,5,x\n-1.7e308,6,y\n' >huge.csv
  expect_error 1 "feature 'a'.*range" train --data huge.csv --qubits 2 --epochs 1 --test-fraction 0 --out out_dir
}

case_bad_csv_near_double_limit_still_trains() {
  # 1e308 is a double but its square (in the feature's variance) is not: the model must still standardise it, save a
  # finite scale and reload (it used to write `"scale": [null, …]`, which eval then refused).
  csv_with 1e308 huge.csv
  expect_success train --data huge.csv --qubits 2 --epochs 1 --quiet --out run || return
  grep -q null run/model.json && fail "model.json holds a null (a non-finite number)"
  expect_success eval run/model.json
}

case_bad_csv_one_class() {
  printf 'a,b,label\n1,2,x\n3,4,x\n5,6,x\n' >one.csv
  expect_error 1 'one\.csv|class' train --data one.csv --qubits 2 --epochs 1 --out out_dir
}

case_bad_data_directory() {
  mkdir data.csv
  expect_error 1 'data\.csv.*(directory|Is a)' train --data data.csv --epochs 1 --out out_dir
}

case_bad_train_lr_inf() {
  expect_error '1|2' 'learning rate|--lr' train --lr inf --epochs 1 --out out_dir
}

case_bad_train_lr_negative() {
  expect_error '1|2' 'learning rate|--lr' train --lr -0.5 --epochs 1 --out out_dir
}

case_bad_train_lr_overflow() {
  expect_error '1|2' 'learning rate|--lr' train --lr 1e400 --epochs 1 --out out_dir
}

case_bad_train_epochs_absurd() {
  expect_error 2 'epochs' train --epochs 1e12 --out out_dir
  [[ ! -e out_dir ]] || fail "a usage error created the output directory"
}

case_bad_train_epochs_negative() {
  expect_error 2 'epochs' train --epochs -3 --out out_dir
}

case_bad_train_batch_zero() {
  expect_error '1|2' 'batch' train --batch 0 --epochs 1 --out out_dir
}

case_bad_train_qubits_absurd() {
  expect_error 1 '100000' train --qubits 100000 --epochs 1 --out out_dir
}

case_bad_train_layers_absurd() {
  expect_error '1|2' 'layers|[0-9]+ (bytes|[KMGTPE]iB)' train --layers 4000000000 --epochs 1 --out out_dir
}

case_bad_train_test_fraction_nan() {
  expect_error '1|2' 'test-fraction|test fraction' train --test-fraction nan --epochs 1 --out out_dir
}

case_bad_train_test_fraction_above_one() {
  expect_error '1|2' 'test-fraction|test fraction' train --test-fraction 1.5 --epochs 1 --out out_dir
}

case_bad_train_out_in_proc() {
  expect_error 1 '/proc/qnn-no-such-dir' train --epochs 1 --out /proc/qnn-no-such-dir/run
}

case_bad_train_noise_p_nan() {
  expect_error '1|2' 'nan' train --epochs 1 --noise depolarizing:nan --out out_dir
}

# A run killed with SIGKILL while it overwrites a finished run leaves a loadable model.json (the old one or the new
# one, never half of either) and no temporary files.
case_bad_train_killed_keeps_model() {
  small_model || return
  cp model_run/model.json before.json
  "$QNN" train --qubits 5 --layers 3 --epochs 8 --batch 40 --grad parameter-shift --seed 3 --quiet \
    --out model_run >/dev/null 2>&1 &
  local pid=$! waited=0
  # Kill it once it has written its first checkpoint of the new run (or after 10 s).
  until grep -q '"qubits": *5' model_run/checkpoint.json 2>/dev/null || ((waited > 200)); do
    sleep 0.05
    waited=$((waited + 1))
  done
  sleep 0.2
  kill -9 "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  echo "  killed after epoch $(sed -n 's/.*"epochs_done": *\([0-9]*\).*/\1/p' model_run/checkpoint.json) of the new run"
  # SIGKILL leaves the temporary of the one write in flight at that instant (the trainer writes one file at a time),
  # if the kill lands inside a write: .NAME.tmp.PID.N of the killed process, which it cannot remove. Nothing else.
  local own others
  own=$(find model_run -name ".*.tmp.$pid.*" | wc -l)
  others=$(find model_run \( -name '.*tmp*' -o -name '.qnn-probe*' \) ! -name ".*.tmp.$pid.*" | wc -l)
  ((own <= 1)) || fail "$own temporary files of the killed run left in model_run (at most the one in flight)"
  ((others == 0)) || fail "$others temporary files not of the killed run left in model_run"
  expect_success eval model_run/model.json || fail "model.json does not load after the killed run"
  expect_success train --resume model_run --quiet || fail "the checkpoint does not resume after the killed run"
}

case_bad_train_resume_truncated_checkpoint() {
  small_model || return
  head -c 200 model_run/checkpoint.json >cut.json && mv cut.json model_run/checkpoint.json
  expect_error 1 'checkpoint\.json:[0-9]+:[0-9]+: ' train --resume model_run
  [[ -f model_run/model.json ]] || fail "a failed resume lost model.json"
}

# Found by the model/checkpoint JSON fuzzer: a fractional or negative number in an array of unsigned integers (the
# sample order, the RNG state) reached an undefined float-to-integer conversion inside the JSON library.
case_bad_train_resume_fractional_order() {
  small_model || return
  python3 - model_run/checkpoint.json <<'PY' || fail "could not edit the checkpoint"
import json, sys
p = sys.argv[1]
j = json.load(open(p))
def put(o):
    if isinstance(o, dict):
        for k, v in o.items():
            if k == "order" and isinstance(v, list) and v:
                v[0] = -2.38
                return True
            if put(v):
                return True
    elif isinstance(o, list):
        return any(put(v) for v in o)
    return False
assert put(j), "no order array"
json.dump(j, open(p, "w"))
PY
  expect_error 1 "checkpoint field 'order' must hold non-negative integers" train --resume model_run
}

case_bad_train_resume_binary_checkpoint() {
  small_model || return
  garbage model_run/checkpoint.json
  expect_error 1 'checkpoint\.json' train --resume model_run
}

# ---- saved models (eval, predict, export) ----

case_bad_model_binary() {
  garbage junk.json
  expect_error 1 'junk\.json' eval junk.json
}

case_bad_model_truncated() {
  small_model || return
  head -c 300 model_run/model.json >cut.json
  expect_error 1 'cut\.json:[0-9]+:[0-9]+: ' eval cut.json
}

case_bad_model_weight_overflow() {
  small_model || return
  sed '0,/"weights": \[/{/"weights": \[/{n;s/-\{0,1\}[0-9][0-9.eE+-]*/1e400/;}}' model_run/model.json >big.json
  cmp -s model_run/model.json big.json && { fail "could not edit a weight (model.json layout changed?)"; return; }
  expect_error 1 'big\.json' eval big.json
}

case_bad_model_qubits_absurd() {
  small_model || return
  sed 's/"qubits": *[0-9]*/"qubits": 100000/' model_run/model.json >absurd.json
  cmp -s model_run/model.json absurd.json && { fail "could not edit the qubit count"; return; }
  expect_error 1 'absurd\.json.*qubits|100000' eval absurd.json
}

case_bad_model_qubits_negative() {
  small_model || return
  sed 's/"qubits": *[0-9]*/"qubits": -4/' model_run/model.json >neg.json
  expect_error 1 'neg\.json.*qubits|-4' eval neg.json
}

case_bad_predict_nan_feature() {
  small_model || return
  printf '5.1,3.5,1.4,0.2\nnan,3.0,1.4,0.2\n' >in.csv
  expect_error 1 'in\.csv:2:1: .*nan' predict model_run/model.json --input in.csv
}

case_bad_predict_wrong_width() {
  small_model || return
  printf '5.1,3.5,1.4,0.2\n4.9,3.0\n' >in.csv
  expect_error 1 'in\.csv' predict model_run/model.json --input in.csv
}

case_bad_predict_out_disk_full() {
  small_model || return
  printf '5.1,3.5,1.4,0.2\n' >in.csv
  expect_error 1 '/dev/full.*(space|No space)' predict model_run/model.json --input in.csv --out /dev/full
  [[ -c /dev/full ]] || fail "/dev/full is no longer a device"
}

case_bad_predict_out_under_file() {
  small_model || return
  printf '5.1,3.5,1.4,0.2\n' >in.csv
  echo "keep me" >blocker
  expect_error 1 'blocker' predict model_run/model.json --input in.csv --out blocker/p.csv
  [[ $(cat blocker) == "keep me" ]] || fail "the file in the way was changed"
}

case_bad_export_out_disk_full() {
  small_model || return
  expect_error 1 '/dev/full.*(space|No space)' export model_run/model.json --qasm 3 --out /dev/full
  [[ -c /dev/full ]] || fail "/dev/full is no longer a device"
}

# An output path that is a symlink is written through: the link's target gets the new contents (atomically, renamed
# into the target's directory) and the link stays a link, for every writer (predict/export --out, model, checkpoint).
case_bad_out_symlink_written_through() {
  small_model || return
  printf '5.1,3.5,1.4,0.2\n' >in.csv
  mkdir keep
  echo old >keep/p.csv
  ln -s keep/p.csv p.csv
  expect_success predict model_run/model.json --input in.csv --out p.csv || return
  [[ -L p.csv ]] || fail "predict --out replaced the symlink p.csv with a regular file"
  [[ $(cat keep/p.csv) != old ]] || fail "the symlink's target keep/p.csv still has the old contents"
  ln -s keep/new.qasm dangling.qasm
  expect_success export model_run/model.json --qasm 3 --out dangling.qasm || return
  [[ -L dangling.qasm ]] || fail "export --out replaced the dangling symlink with a regular file"
  grep -q OPENQASM keep/new.qasm || fail "export --out through a dangling symlink did not create keep/new.qasm"
  # Training into a directory whose model.json and checkpoint.json are links into keep/.
  mkdir run
  ln -s ../keep/model.json run/model.json
  ln -s ../keep/checkpoint.json run/checkpoint.json
  expect_success train --epochs 1 --quiet --out run || return
  [[ -L run/model.json && -L run/checkpoint.json ]] || fail "train replaced a symlink in its --out directory"
  expect_success eval keep/model.json || fail "the model written through the symlink does not load"
  grep -q epochs_done keep/checkpoint.json || fail "the checkpoint was not written through its symlink"
  no_leftovers .
}

case_bad_export_features_nan() {
  small_model || return
  expect_error '1|2' 'nan' export model_run/model.json --qasm 2 --features nan,1,1,1
}

case_bad_export_input_out_of_range() {
  small_model || return
  expect_error '1|2' '99999' export model_run/model.json --qasm 2 --input 99999
}

# ---- kernel, qec, diagnose ----

case_bad_kernel_qubits_absurd() {
  expect_error 1 '100000|qubits' kernel --qubits 100000
}

case_bad_kernel_bandwidth_nan() {
  expect_error '1|2' 'bandwidth' kernel --bandwidth nan
}

case_bad_kernel_c_inf() {
  expect_error '1|2' 'C .*inf' kernel --C inf
}

case_bad_kernel_csv_nan() {
  csv_with nan nan.csv
  expect_error 1 'nan\.csv:5:1: ' kernel --data nan.csv
}

case_bad_qec_p_nan() {
  expect_error '1|2' 'nan' qec --code repetition --distance 3 --p nan --shots 100 --quiet
}

case_bad_qec_p_inf() {
  expect_error '1|2' 'inf' qec --code repetition --distance 3 --p 0.01,inf --shots 100 --quiet
}

case_bad_qec_distance_absurd() {
  expect_error '1|2' '100001|distance' qec --code surface --distance 100001 --p 0.01 --shots 100 --quiet
}

case_bad_qec_shots_negative() {
  expect_error 2 'shots' qec --code repetition --distance 3 --p 0.01 --shots -5 --quiet
}

case_bad_diagnose_samples_absurd() {
  expect_error 2 'samples' diagnose --samples 99999999999
}

case_bad_threads_zero() {
  expect_error 2 'threads' --threads 0 gates
}

run_cases
