#!/usr/bin/env bash
# The model library's accuracy table: each row trains one configuration with `qnn train` (fixed seed 7, 20 % of each
# class held out) and prints its held-out test accuracy against the bar it must reach. README.md quotes the result.
# Usage: scripts/accuracy_table.sh [QNN_BINARY]   (default build/release/qnn)
set -euo pipefail
QNN=${1:-build/release/qnn}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

rows=(
  "iris|0.93|--data iris --qubits 4 --layers 3 --epochs 40"
  "digits 0-vs-1|0.98|--data digits:classes=0,1 --pca 4 --qubits 4 --layers 2 --epochs 10"
  "digits 0-3|0.85|--data digits:classes=0-3 --pca 8 --qubits 8 --layers 2 --epochs 20"
  "breast cancer|0.90|--data breast_cancer --pca 4 --qubits 4 --layers 3 --lr 0.02 --epochs 30"
  "moons|0.90|--data moons --qubits 2 --encoding angle-y --reupload --reupload-scaling affine --layers 4 --epochs 40"
  "circles (1 qubit, re-uploading)|0.90|--data circles --qubits 1 --encoding dense --reupload --reupload-scaling affine --layers 4 --readout probabilities --epochs 60"
  "xor|0.95|--data xor --qubits 2 --encoding angle-y --reupload --reupload-scaling affine --layers 3 --epochs 40"
  "digits 10 classes, hybrid|0.85|--data digits --pca 16 --hidden 8:tanh --qubits 8 --layers 2 --readout z-all --head 16:relu --lr 0.02 --epochs 30"
)

printf '%-34s %-8s %-6s %-6s %-8s %s\n' "data" "test" "bar" "" "seconds" "command"
status=0
i=0
for row in "${rows[@]}"; do
  IFS='|' read -r name bar args <<<"$row"
  i=$((i + 1))
  # shellcheck disable=SC2086
  "$QNN" train $args --seed 7 --quiet --out "$OUT/$i" >/dev/null
  acc=$(sed -n 's/.*"test_accuracy": \([0-9.e+-]*\).*/\1/p' "$OUT/$i/summary.json")
  secs=$(sed -n 's/.*"seconds": \([0-9.e+-]*\).*/\1/p' "$OUT/$i/summary.json")
  ok=$(awk -v a="$acc" -v b="$bar" 'BEGIN { print (a >= b) ? "ok" : "BELOW" }')
  [ "$ok" = ok ] || status=1
  printf '%-34s %-8.4f %-6s %-6s %-8.1f qnn train %s\n' "$name" "$acc" "$bar" "$ok" "$secs" "$args"
done
exit $status
