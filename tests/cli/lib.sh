# Shared part of the end-to-end tests of the `qnn` command line (tests/cli/*_test.sh source it first and then define
# their cases as functions `case_NAME`; tests/CMakeLists.txt registers one ctest entry per such function).
#
#   SCRIPT.sh QNN_BINARY CASE     run one case
#   SCRIPT.sh QNN_BINARY all      run every case of that script and print a per-case result
#
# Error cases check the CLI contract (apps/qnn/main.cpp): exit status 1 for runtime errors, 2 for usage errors, never a
# crash (status < 128), and exactly one line on stderr starting with `qnn: error:`.
set -u

QNN=${1:?usage: cli_test.sh QNN_BINARY CASE}
CASE=${2:?usage: cli_test.sh QNN_BINARY CASE}
export LC_ALL=C
export QNN_THREADS=${QNN_THREADS:-2}

if [[ ! -x $QNN || -d $QNN ]]; then
  echo "FAIL: $QNN is not an executable" >&2
  exit 1
fi
QNN=$(cd "$(dirname "$QNN")" && pwd)/$(basename "$QNN")  # the cases run in scratch directories

SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/qnn_cli_test.XXXXXX") || exit 1
trap 'rm -rf "$SCRATCH"' EXIT
cd "$SCRATCH" || exit 1

failures=0
fail() {
  echo "  FAIL: $*" >&2
  failures=$((failures + 1))
}

# run ARGS...: runs qnn with stdout → out.txt, stderr → err.txt; sets $rc.
run() {
  "$QNN" "$@" >out.txt 2>err.txt
  rc=$?
}

# expect_error STATUS PATTERN ARGS...: qnn ARGS must exit with STATUS ("1", "2" or "1|2") and print exactly one
# `qnn: error:` line on stderr that matches the extended regex PATTERN.
expect_error() {
  local want=$1 pattern=$2 before=$failures
  shift 2
  run "$@"
  if ((rc >= 128)); then
    fail "qnn $* crashed (exit status $rc)"
  elif ((rc == 0)); then
    fail "qnn $* succeeded; expected exit status $want"
  elif ! [[ $rc =~ ^($want)$ ]]; then
    fail "qnn $* exited with $rc; expected $want"
  fi
  local lines
  lines=$(awk 'END { print NR }' err.txt)
  if [[ $lines != 1 ]]; then
    fail "qnn $*: stderr has $lines lines, expected exactly 1:"
    sed 's/^/    | /' err.txt >&2
    return
  fi
  local msg
  msg=$(cat err.txt)
  [[ $msg == "qnn: error: "* ]] || fail "qnn $*: stderr does not start with 'qnn: error: ': $msg"
  [[ $msg =~ $pattern ]] || fail "qnn $*: stderr does not match /$pattern/: $msg"
  ((failures == before)) && echo "  ok: qnn $* → $rc: $msg"
  return 0
}

# expect_success ARGS...: qnn ARGS must exit 0 with nothing on stderr.
expect_success() {
  run "$@"
  if ((rc != 0)); then
    fail "qnn $* exited with $rc:"
    sed 's/^/    | /' err.txt >&2
    return 1
  fi
  if [[ -s err.txt ]]; then
    fail "qnn $* printed to stderr on success:"
    sed 's/^/    | /' err.txt >&2
  fi
  return 0
}

# run_cases: the scripts' last line; runs $CASE (or every case_* function for "all") and sets the exit status.
run_case() {
  local name=$1 before=$failures
  if ! declare -F "case_$name" >/dev/null; then
    echo "unknown case '$name' (cases: $(declare -F | sed -n 's/^declare -f case_//p' | tr '\n' ' '))" >&2
    failures=$((failures + 1))
    return
  fi
  echo "cli.$name"
  # Each case starts in an empty directory.
  mkdir "$SCRATCH/$name" && cd "$SCRATCH/$name" || exit 1
  "case_$name"
  cd "$SCRATCH" || exit 1
  if ((failures == before)); then echo "PASS cli.$name"; else echo "FAIL cli.$name"; fi
}

run_cases() {
  if [[ $CASE == all ]]; then
    local c
    for c in $(declare -F | sed -n 's/^declare -f case_//p'); do run_case "$c"; done
  else
    run_case "$CASE"
  fi
  ((failures == 0))
}
