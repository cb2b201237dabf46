#!/usr/bin/env bash
# Runs `varflow bench` and the official VAR code side by side (both processes at the same time, so they
# share the machine's load) for each batch size, and prints one table: images/s, ms per phase, CPU time,
# peak RSS, and memory per additional image. See README.md beside this file.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"

usage() {
    cat >&2 <<USAGE
usage: compare.sh --official DIR [--preset d16|tiny | --depth N] [--batches "1 2 4 8"] [--threads 1]
                  [--warmup 1] [--runs 1] [--out DIR] [--openblas-core NAME]
  --official DIR  folder holding the official VAR models/ and dist.py (plus the huggingface_hub stub)
  --openblas-core OpenBLAS kernel set of the official side (OPENBLAS_CORETYPE), e.g. SkylakeX or Haswell;
                  default: OpenBLAS's own detection, which picks the slow generic Prescott kernels on CPUs
                  it does not recognise (such as this project's virtual machines)
USAGE
    exit 2
}

OFFICIAL="" PRESET="d16" BATCHES="1 2" THREADS=1 WARMUP=1 RUNS=1 OUT="" CORE=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --official) OFFICIAL="$2"; shift 2 ;;
        --preset) PRESET="$2"; shift 2 ;;
        --batches) BATCHES="$2"; shift 2 ;;
        --threads) THREADS="$2"; shift 2 ;;
        --warmup) WARMUP="$2"; shift 2 ;;
        --runs) RUNS="$2"; shift 2 ;;
        --out) OUT="$2"; shift 2 ;;
        --openblas-core) CORE="$2"; shift 2 ;;
        *) usage ;;
    esac
done
[[ -n "$OFFICIAL" && -d "$OFFICIAL/models" ]] || { echo "compare.sh: --official must name a folder with the official models/" >&2; usage; }
case "$PRESET" in
    tiny) OFFICIAL_CONFIG="$ROOT/model/src/main/resources/varflow/tiny/config.json" ;;
    d[0-9]*) OFFICIAL_CONFIG="${PRESET#d}" ;;
    *) echo "compare.sh: --preset must be tiny or dN" >&2; exit 2 ;;
esac
PYTHON="${OFFICIAL_PYTHON:-/usr/bin/python3}"
OUT="${OUT:-$(mktemp -d)}"
mkdir -p "$OUT"

"$ROOT/varflow" --version >/dev/null # builds now, not inside the timed runs

# The official side's BLAS: OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE as this machine sets them are dropped, and
# --openblas-core, when given, chooses the kernels. Say which ones it runs: they decide its matmul speed.
official_env=(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE ${CORE:+OPENBLAS_CORETYPE=$CORE}
    OPENBLAS_NUM_THREADS="$THREADS" OMP_NUM_THREADS="$THREADS")
echo "official side: OpenBLAS $("${official_env[@]}" OPENBLAS_VERBOSE=2 "$PYTHON" -c 'import torch; torch.ones(2, 2) @ torch.ones(2, 2)' 2>&1 | sed -n 's/^Core: //p' | tail -1) kernels"

field() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" "$2" | tail -1; }
peak_mib() { awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$1"; }

ROW='%-9s %5s %3s | %9s %9s %9s %9s %9s | %9s %9s %9s %9s %9s | %8s\n'
printf "$ROW" "" "" "" "wall" "" "" "" "" "CPU" "" "" "" "" ""
printf "$ROW" side batch thr "images/s" "ms/batch" transf. sampling decode "images/s" "ms/batch" transf. sampling decode "peak MiB"
declare -A RSS
for b in $BATCHES; do
    vf="$OUT/varflow-b$b.txt" of="$OUT/official-b$b.txt"
    /usr/bin/time -v "$ROOT/varflow" bench --preset "$PRESET" --batch "$b" --batches "$RUNS" --warmup "$WARMUP" \
        --threads "$THREADS" >"$vf" 2>&1 &
    vpid=$!
    "${official_env[@]}" VAR_OFFICIAL="$OFFICIAL" /usr/bin/time -v "$PYTHON" "$HERE/official_phases.py" "$OFFICIAL_CONFIG" "$b" \
        "$WARMUP" "$RUNS" "$THREADS" >"$of" 2>&1 &
    opid=$!
    wait "$vpid" || { echo "varflow bench failed, see $vf" >&2; exit 1; }
    wait "$opid" || { echo "official run failed, see $of" >&2; exit 1; }
    for side in varflow official; do
        f="$OUT/$side-b$b.txt"
        rss=$(peak_mib "$f")
        RSS[$side,$b]=$rss
        cpu=$(field cpu_ms_per_batch "$f")
        printf "$ROW" "$side" "$b" "$THREADS" \
            "$(field images_per_s "$f")" "$(field ms_per_batch "$f")" "$(field transformer_ms "$f")" \
            "$(field sampling_ms "$f")" "$(field decode_ms "$f")" \
            "$(awk -v c="$cpu" -v b="$b" 'BEGIN {printf "%.4f", b * 1000 / c}')" "$cpu" \
            "$(field transformer_cpu_ms "$f")" "$(field sampling_cpu_ms "$f")" "$(field decode_cpu_ms "$f")" "$rss"
    done
    grep -h '^estimate' "$vf" || true
done

# Memory per additional image: least-squares slope of peak RSS over the batch sizes run.
for side in varflow official; do
    awk -v side="$side" 'NF == 2 {n++; sx += $1; sy += $2; sxx += $1 * $1; sxy += $1 * $2}
        END {if (n > 1) printf "%-9s peak RSS per additional image: %.0f MiB (least squares over %d batch sizes)\n",
             side, (n * sxy - sx * sy) / (n * sxx - sx * sx), n}' \
        <(for b in $BATCHES; do echo "$b ${RSS[$side,$b]}"; done)
done
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg); raw outputs in $OUT"
