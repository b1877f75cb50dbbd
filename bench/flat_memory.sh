#!/usr/bin/env bash
# Trains for a fixed number of epochs without early stopping and prints the resident memory that
# metrics.jsonl records after each epoch, then the largest growth over the value after epoch 2.
#
# Usage: bench/flat_memory.sh OUT_DIR [EPOCHS] [extra train options, such as --model resnet --limit 20000]
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:?usage: bench/flat_memory.sh OUT_DIR [EPOCHS] [train options]}"
epochs="${2:-20}"
shift $(( $# >= 2 ? 2 : 1 ))
if (( epochs < 3 )); then
  echo "error: EPOCHS is $epochs; memory growth after epoch 2 needs at least 3 epochs" >&2
  exit 2
fi

"$root/negentropy" train --epochs "$epochs" --patience 0 --progress plain --log-interval 60 --overwrite --out "$out" "$@"

/usr/bin/python3 - "$out/metrics.jsonl" <<'PY'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
print("epoch  rss_mb  val_accuracy")
for row in rows:
    print(f"{row['epoch']:5d}  {row['rss_mb']:6.1f}  {row['val_accuracy']:.4f}")
base = rows[1]["rss_mb"]
largest = max(row["rss_mb"] for row in rows[2:])
print(f"after epoch 2: {base:.1f} MiB; largest later: {largest:.1f} MiB ({(largest - base) / base:+.2%}); "
      f"last: {rows[-1]['rss_mb']:.1f} MiB ({(rows[-1]['rss_mb'] - base) / base:+.2%})")
PY
