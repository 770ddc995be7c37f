#!/usr/bin/env bash
# End-to-end tests of `qnn qec`: the table, the CSV and SVG it writes, and its error cases.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

case_qec_repetition_table_csv_svg() {
  expect_success qec --code repetition --distance 3,5 --noise code-capacity --p 0.05,0.3 --shots 4000 \
    --decoder lookup --seed 2 --out run || return
  grep -q '^threshold' out.txt || fail "no threshold line: $(cat out.txt)"
  [[ -f run/qec.csv && -f run/qec.svg ]] || { fail "qec.csv or qec.svg missing"; return; }
  [[ $(wc -l <run/qec.csv) == 5 ]] || fail "qec.csv should have a header and 4 rows: $(cat run/qec.csv)"
  head -1 run/qec.csv | grep -q '^code,distance,rounds,basis,noise,p,decoder,shots,failures,logical_error_rate,ci_low,ci_high' ||
    fail "unexpected CSV header: $(head -1 run/qec.csv)"
  grep -q '<svg' run/qec.svg || fail "qec.svg is not an SVG"
  # Below p = 1/2 the d = 5 repetition code beats d = 3 (P_L(3, 0.05) = 0.00725, P_L(5, 0.05) = 0.00116).
  awk -F, 'NR > 1 && $6 == 0.05 { r[$2] = $10 } END { exit !(r[5] < r[3]) }' run/qec.csv ||
    fail "d=5 is not better than d=3 at p=0.05: $(cat run/qec.csv)"
}

case_qec_no_progress_on_pipe() {
  expect_success qec --code steane --distance 3 --noise code-capacity --p 0.01 --shots 640 --decoder lookup
  [[ -s out.txt ]] || fail "no table on stdout"
}

case_qec_even_distance() {
  expect_error '1|2' 'distance 4.*odd' qec --code surface --distance 3,4 --p 0.01 --shots 100 --decoder lookup
}

case_qec_p_out_of_range() {
  expect_error '1|2' '--p .*1\.5.*\[0, 1\]' qec --code repetition --distance 3 --p 0.1,1.5 --shots 100 --decoder lookup
}

case_qec_p_range_malformed() {
  expect_error '1|2' '--p 0\.001:0\.02' qec --code repetition --distance 3 --p 0.001:0.02 --shots 100 --decoder lookup
}

case_qec_unknown_code() {
  expect_error '1|2' "unknown code 'toric'" qec --code toric --distance 3 --p 0.01 --shots 100
}

case_qec_unknown_decoder() {
  expect_error '1|2' "unknown decoder 'magic'" qec --code repetition --distance 3 --p 0.01 --shots 100 --decoder magic --out run
  [[ ! -e run ]] || fail "a failed run created its output directory"
}

case_qec_unknown_noise() {
  expect_error '1|2' "unknown noise model 'loud'" qec --code repetition --distance 3 --noise loud --p 0.01 --shots 100
}

case_qec_unwritable_out() {
  echo "I am a file" >blocker
  expect_error 1 'blocker/sub' qec --code repetition --distance 3 --p 0.01 --shots 100 --decoder lookup --out blocker/sub
  [[ $(cat blocker) == "I am a file" ]] || fail "the regular file in the way was changed"
}

run_cases
