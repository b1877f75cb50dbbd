#!/usr/bin/env bash
# Runs `negentropy bench` and its PyTorch twin interleaved (N, P, N, P, ...) on the same settings.
# Prints each side's median and the ratio Negentropy / PyTorch. Above 1 means Negentropy is faster,
# except for latency, memory and milliseconds per step, where below 1 is better.
#
# With --data spam-assassin, the first Negentropy run writes its batches with --save-pool and every
# PyTorch run reads them with --pool, so both sides time the same token ids from the .NET tokenizer.
# --source and --cache-dir (where the SpamAssassin package is) go to the Negentropy side only.
# PYTORCH_OPTIONS adds options for the PyTorch side only, such as PYTORCH_OPTIONS=--channels-last to
# compare against PyTorch with channels-last weights and inputs.
# --precision bf16 goes to both sides: training stays fp32, and inference and latency run in bfloat16.
#
# Usage: bench/compare.sh MODEL [PAIRS] [extra options for both sides, such as --batch-size 128 --threads 2]
#   MODEL: cnn, resnet, textcnn or fasttext
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
model="${1:?usage: bench/compare.sh cnn|resnet|textcnn|fasttext [PAIRS] [options]}"
pairs="${2:-5}"
shift $(( $# >= 2 ? 2 : 1 ))
extra=("$@")
# Both sides get the same thread count: PyTorch's own default can differ from Negentropy's (one per processor).
if [[ " ${extra[*]} " != *" --threads "* && " ${extra[*]} " != *" --threads="* ]]; then
  extra+=(--threads "$(nproc)")
fi
if (( pairs < 5 )); then
  echo "warning: $pairs pairs; medians of fewer than 5 pairs are noisy" >&2
fi

read -r -a twin_extra <<< "${PYTORCH_OPTIONS:-}"
spam_assassin=0
for ((i = 0; i < ${#extra[@]}; i++)); do
  case "${extra[i]}" in
    --source | --cache-dir) (( i += 1 )); continue ;;
    --source=* | --cache-dir=*) continue ;;
    --data=spam-assassin) spam_assassin=1 ;;
    --data) [[ "${extra[i + 1]:-}" == spam-assassin ]] && spam_assassin=1 ;;
  esac
  twin_extra+=("${extra[i]}")
done

results="$(mktemp)"
pool="$(mktemp --suffix .pool)"
trap 'rm -f "$results" "$pool"' EXIT
"$root/negentropy" --help > /dev/null  # builds the CLI once, outside the timed runs
for ((pair = 1; pair <= pairs; pair++)); do
  echo "pair $pair of $pairs" >&2
  save=()
  twin_pool=()
  if (( spam_assassin )); then
    (( pair == 1 )) && save=(--save-pool "$pool")  # written before the timed steps
    twin_pool=(--pool "$pool")
  fi
  "$root/negentropy" bench --model "$model" "${extra[@]}" "${save[@]}" | tail -n 1 >> "$results"
  /usr/bin/python3 "$root/bench/pytorch/bench.py" --model "$model" "${twin_extra[@]}" "${twin_pool[@]}" | tail -n 1 >> "$results"
done

/usr/bin/python3 - "$results" <<'PY'
import json, statistics, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
sides = {name: [r for r in rows if r["runtime"] == name] for name in ("negentropy", "pytorch")}
first = rows[0]
text = f", vocabulary {first['vocabulary_size']}, length {first['sequence_length']}" if "sequence_length" in first else ""
memory = f", PyTorch {sides['pytorch'][0].get('memory_format', 'contiguous')}" if sides["pytorch"] else ""
print(f"{first['model']}{text}{memory}, batch {first['batch_size']}, {first['threads']} threads, {first['steps']} steps, "
      f"{first['data']} data, {first.get('inference_precision', 'fp32')} inference, {len(sides['negentropy'])} interleaved pairs; medians:")
print(f"| metric | Negentropy | PyTorch | ratio |")
print(f"| --- | ---: | ---: | ---: |")
for key in ("train_samples_per_second", "inference_samples_per_second", "latency_ms_batch1", "peak_rss_mb",
            "fraction_of_matmul_peak", "matmul_peak_gflops", "forward_ms_per_step", "backward_ms_per_step",
            "optimizer_ms_per_step"):
    ours = statistics.median(r[key] for r in sides["negentropy"])
    theirs = statistics.median(r[key] for r in sides["pytorch"])
    print(f"| {key} | {ours:.4g} | {theirs:.4g} | {ours / theirs:.3f} |")
for name, side in sides.items():
    print(f"{name} parameters {side[0]['parameters']}, output shape {side[0]['output_shape']}")
PY
