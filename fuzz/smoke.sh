#!/usr/bin/env bash
# Runs every fuzz target (or the ones named) with cargo-fuzz for a short time each, on a copy of
# its committed corpus and regression inputs, and prints the executions and coverage each reached.
# Exits non-zero when a target crashes (the input is under fuzz/artifacts/<target>/).
#
#   fuzz/smoke.sh                      # 20 s per target, one at a time
#   fuzz/smoke.sh callback             # only that target
#   FUZZ_SECONDS=300 FUZZ_JOBS=2 FUZZ_WORK=/tmp/campaign fuzz/smoke.sh   # a longer campaign
#
# FUZZ_SECONDS: seconds per target (default 20). FUZZ_JOBS: targets run at once, one core each
# (default 1). FUZZ_SANITIZER: cargo-fuzz's `-s` (default `none`: the core forbids unsafe code,
# so AddressSanitizer finds nothing there and costs a third of the speed; `address` to use it).
# FUZZ_RUNS: stop a target after that many executions, or at FUZZ_SECONDS, whichever comes
# first (default: no limit but the time).
# FUZZ_WORK: where the corpus copies and logs go (default: a temporary directory, removed at the
# end); the committed corpus never changes.
# FUZZ_TRACE_COMPARES=1: build with comparison tracing, cargo-fuzz's default (into
# fuzz/target/traced). Off by default: it cost each target a third to three quarters of its speed,
# and without it each reached as much coverage or more in the same time (fuzz/README.md,
# "Throughput"); the dictionary gives the fuzzer the words it would have learnt from it.
#
# Needs the nightly toolchain (`cargo +nightly`); without it, prints that it skipped and exits 0.
# Installs cargo-fuzz when it is missing.
set -euo pipefail

fuzz_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$fuzz_dir")
seconds=${FUZZ_SECONDS:-20}
jobs=${FUZZ_JOBS:-1}
sanitizer=${FUZZ_SANITIZER:-none}
max_runs=${FUZZ_RUNS:--1}
flags=(-s "$sanitizer" --fuzz-dir "$fuzz_dir" --no-trace-compares)
if [ "${FUZZ_TRACE_COMPARES:-0}" = 1 ]; then
  # Its own target directory: the flag changes how every crate is built.
  flags=(-s "$sanitizer" --fuzz-dir "$fuzz_dir" --target-dir "$fuzz_dir/target/traced")
fi

if ! cargo +nightly --version >/dev/null 2>&1; then
  echo "smoke: skipped: no nightly toolchain (cargo +nightly); cargo-fuzz needs one"
  exit 0
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  echo "smoke: installing cargo-fuzz"
  cargo +nightly install cargo-fuzz --locked
fi

if [ "$#" -gt 0 ]; then
  targets=("$@")
else
  targets=()
  for file in "$fuzz_dir"/fuzz_targets/*.rs; do
    name=$(basename "$file" .rs)
    targets+=("$name")
  done
fi

for target in "${targets[@]}"; do
  if [ ! -d "$fuzz_dir/corpus/$target" ]; then
    echo "smoke: no target named $target" >&2
    exit 2
  fi
done

if [ -n "${FUZZ_WORK:-}" ]; then
  work=$FUZZ_WORK
  mkdir -p "$work"
else
  work=$(mktemp -d "${TMPDIR:-/tmp}/countersign-fuzz.XXXXXX")
  trap 'rm -rf "$work"' EXIT
fi

cd "$root"
started=$SECONDS
echo "smoke: building the fuzz targets (cargo +nightly fuzz build)"
cargo +nightly fuzz build "${flags[@]}" >"$work/build.log" 2>&1 || {
  tail -n 40 "$work/build.log"
  echo "smoke: the build failed" >&2
  exit 1
}

# The longest input a target is given (libFuzzer's -max_len; without it, the longest input of
# the corpus or 4 KB). These three do work in proportion to the input's length (hashing it,
# redacting it in three syntaxes, signing and verifying it four times) and reach everything
# they check well within 1 KB: their structure (32 pairs, a 200-byte excerpt, a request's few
# parameters) fits in it. Longer inputs only slowed them (fuzz/README.md, "Throughput").
max_len() {
  case $1 in
    response_headers | signature_methods | verify_signed) echo 1024 ;;
    *) echo 0 ;;
  esac
}

run_one() {
  local target=$1 corpus="$work/corpus/$1" log="$work/$1.log"
  mkdir -p "$corpus"
  cp -R "$fuzz_dir/corpus/$target/." "$corpus/"
  # Regression inputs too (not the .gitkeep).
  find "$fuzz_dir/regressions/$target" -maxdepth 1 -type f ! -name '.*' \
    -exec cp {} "$corpus/" \;
  local status=0
  cargo +nightly fuzz run "${flags[@]}" "$target" "$corpus" -- \
    -max_total_time="$seconds" -runs="$max_runs" -max_len="$(max_len "$target")" -timeout=10 \
    -dict="$fuzz_dir/oauth.dict" \
    -print_final_stats=1 >"$log" 2>&1 || status=$?
  echo "$status" >"$work/$target.status"
}

# Start the targets, at most $jobs at a time.
for target in "${targets[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do
    wait -n || true
  done
  echo "smoke: $target for ${seconds} s"
  rm -f "$work/$target.status"
  run_one "$target" &
done
wait

failed=0
crashes=()
printf '\n%-24s %-8s %14s %8s %8s %8s\n' target result executions exec/s cov ft
for target in "${targets[@]}"; do
  result=ok
  if [ "$(cat "$work/$target.status" 2>/dev/null || echo missing)" != 0 ]; then
    result=FAILED
  fi
  log="$work/$target.log"
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  stats=$(grep -E '^#[0-9]+' "$log" | tail -n 1 || true)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$stats")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$stats")
  printf '%-24s %-8s %14s %8s %8s %8s\n' "$target" "$result" "${runs:-?}" "${speed:-?}" "${cov:-?}" "${ft:-?}"
  if [ "$result" != ok ]; then
    failed=1
    crashes+=("$target")
  fi
done

for target in "${crashes[@]}"; do
  echo
  echo "==== $target: the end of the log ($work/$target.log)"
  tail -n 60 "$work/$target.log"
done

echo
echo "smoke: ${#targets[@]} targets, $((SECONDS - started)) s in all"
if [ "$failed" -ne 0 ]; then
  echo "smoke: failed: ${crashes[*]} (a crash's input is under fuzz/artifacts/<target>/)" >&2
  exit 1
fi
