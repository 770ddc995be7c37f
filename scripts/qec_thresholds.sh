#!/usr/bin/env bash
# The QEC threshold table: rotated surface code, Z-basis memory, `qnn qec` per (noise model, decoder) over a range of
# p around the literature threshold, then the crossing of every pair of consecutive distances (linear in
# (log p, log P_L(d_large) − log P_L(d_small)), as `qnn qec` does for its two largest). docs/qec.md quotes the result.
# Usage: scripts/qec_thresholds.sh [QNN_BINARY] [SHOTS_SCALE]   (default build/release/qnn, 1)
#   SHOTS_SCALE multiplies every row's shot count (0.1 for a quick look; the table used 1). QNN_THREADS: threads.
set -euo pipefail
QNN=${1:-build/release/qnn}
SCALE=${2:-1}
THREADS=${QNN_THREADS:-2}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

# name | literature | decoder | qnn qec arguments | shots
rows=(
  "code capacity|10.3 % (MWPM)|mwpm|--noise code-capacity --distance 7,9,11,13 --p 0.09,0.094,0.098,0.102,0.106,0.11|20000"
  "code capacity|9.9 % (UF)|uf|--noise code-capacity --distance 7,9,11,13 --p 0.09,0.094,0.098,0.102,0.106,0.11|20000"
  "phenomenological|2.9-3.0 % (MWPM)|mwpm|--noise phenomenological --distance 7,9,11 --p 0.024,0.026,0.028,0.03,0.032|4000"
  "phenomenological|2.6 % (UF)|uf|--noise phenomenological --distance 7,9,11 --p 0.022,0.024,0.026,0.028,0.03|4000"
  "circuit-level|0.5-1 % (MWPM)|mwpm|--noise circuit --distance 5,7,9 --p 0.004,0.005,0.006,0.007,0.008|4000"
  "circuit-level|0.5-1 % (UF)|uf|--noise circuit --distance 5,7,9 --p 0.004,0.005,0.006,0.007,0.008|4000"
)

# Crossings of consecutive distances from qec.csv (columns: code,distance,rounds,basis,noise,p,decoder,shots,failures,
# logical_error_rate,...): the first p interval where log P_L(large) − log P_L(small) turns from negative to ≥ 0.
crossings() {
  awk -F, 'NR > 1 { d[$2] = 1; r[$2 "," $6] = $10; if (!($6 in seen)) { seen[$6] = 1; ps[++np] = $6 } }
    END {
      nd = 0; for (x in d) ds[++nd] = x + 0
      for (i = 1; i <= nd; ++i) for (j = i + 1; j <= nd; ++j) if (ds[j] < ds[i]) { t = ds[i]; ds[i] = ds[j]; ds[j] = t }
      for (i = 1; i <= np; ++i) for (j = i + 1; j <= np; ++j) if (ps[j] + 0 < ps[i] + 0) { t = ps[i]; ps[i] = ps[j]; ps[j] = t }
      out = ""
      for (i = 1; i < nd; ++i) {
        a = ds[i]; b = ds[i + 1]; x = "none"
        for (k = 1; k < np; ++k) {
          r0a = r[a "," ps[k]]; r0b = r[b "," ps[k]]; r1a = r[a "," ps[k + 1]]; r1b = r[b "," ps[k + 1]]
          if (r0a <= 0 || r0b <= 0 || r1a <= 0 || r1b <= 0) continue
          g0 = log(r0b) - log(r0a); g1 = log(r1b) - log(r1a)
          if (g0 < 0 && g1 >= 0) {
            t = g0 / (g0 - g1)
            x = sprintf("%.2f %%", 100 * exp(log(ps[k]) + t * (log(ps[k + 1]) - log(ps[k])))); break
          }
        }
        out = out sprintf("  d=%d/%d: %s", a, b, x)
      }
      print out
    }' "$1"
}

printf '%-18s %-18s %-5s %s\n' "noise" "literature" "dec" "crossings"
i=0
for row in "${rows[@]}"; do
  IFS='|' read -r name lit decoder args shots <<<"$row"
  i=$((i + 1))
  n=$(awk -v s="$shots" -v f="$SCALE" 'BEGIN { n = int(s * f); print (n < 100 ? 100 : n) }')
  # shellcheck disable=SC2086
  "$QNN" --threads "$THREADS" qec --code surface --decoder "$decoder" $args --shots "$n" --seed 1 --quiet \
    --out "$OUT/$i" >"$OUT/$i.txt"
  printf '%-18s %-18s %-5s%s\n' "$name" "$lit" "$decoder" "$(crossings "$OUT/$i/qec.csv")"
  echo "    qnn qec --code surface --decoder $decoder $args --shots $n --seed 1"
done
