#!/usr/bin/env bash
# How batch size and loader workers change the shapes SSD example's speed and accuracy.
# Trains examples/shapes-ssd.yaml for EPOCHS epochs (default 3) for every batch size x numWorkers
# pair and prints one row each: training images/s (mean over epochs, training steps only), wall
# seconds per epoch (training and validation), the training thread's data-wait per epoch, and val
# mAP@0.5 after the last epoch. Runs go to
# target/ssd-study (not kept as experiments).
#   benchmarks/ssd-study.sh [EPOCHS] [BATCH_SIZES] [WORKERS]
#   benchmarks/ssd-study.sh 3 "8 16 32 64" "0 1 2"
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
EPOCHS="${1:-3}"
BATCHES="${2:-8 16 32 64}"
WORKERS="${3:-0 1 2}"
OUT="$ROOT/benchmarks/target/ssd-study"
mkdir -p "$OUT"
echo "shapes SSD study: $EPOCHS epochs per run, $(nproc) processors, engine threads as in the example config"
printf '%-6s %-8s %10s %12s %12s %14s\n' batch workers "img/s" "s/epoch" "data-wait s" "val mAP@0.5"
for b in $BATCHES; do
  for w in $WORKERS; do
    name="b$b-w$w"
    "$ROOT/bin/holdout" train "$ROOT/examples/shapes-ssd.yaml" --set loader.batchSize="$b" \
        --set loader.numWorkers="$w" --set trainer.epochs="$EPOCHS" --set trainer.progress=none \
        --set trainer.checkpoints=false --set runs="$OUT" --set name="$name" > "$OUT/$name.log" 2>&1 \
      || { echo "run $name failed: see $OUT/$name.log" >&2; exit 1; }
    run="$(tail -1 "$OUT/$name.log" | sed 's/^run folder: //')"
    awk -F, -v b="$b" -v w="$w" '
      NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
      $2 == "train" { n++; ips += $col["samples_per_s"]; sec += $col["seconds"]; wait += $col["data_wait_s"] }
      $2 == "val" { map = $col["mAP@0.5"] }
      END { printf "%-6d %-8d %10.1f %12.1f %12.2f %14.4f\n", b, w, ips / n, sec / n, wait / n, map }
    ' "$run/metrics.csv"
  done
done
