#!/usr/bin/env bash
# Folds what a campaign found into the committed corpus, kept small: libFuzzer's set-cover merge,
# counting edges only (`-use_counters=0 -set_cover_merge=1`), picks the fewest of the campaign's
# inputs that reach every edge the campaign reached beyond the committed corpus (and the
# regression inputs); they are copied to fuzz/corpus/<target>/found-<sha1 prefix> (FUZZ_FOLD=N
# keeps only the N smallest: fewer files, fewer edges). Prints the coverage (`cov` edges, `ft`
# features) of the committed corpus, of the campaign's corpus and of the corpus after the fold.
#
#   fuzz/fold.sh /tmp/cs-campaign/corpus              # every target the campaign ran
#   fuzz/fold.sh /tmp/cs-campaign/corpus callback     # one target
#
# Run it after `fuzz/smoke.sh` with FUZZ_WORK set: it uses the binaries that built (the same
# flags: no comparison tracing unless FUZZ_TRACE_COMPARES=1).
set -euo pipefail

fuzz_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
campaign=${1:?"usage: fuzz/fold.sh <campaign corpus dir> [target...]"}
shift
keep=${FUZZ_FOLD:-1000000}
# cargo-fuzz builds for the host triple.
host=$(rustc -vV | sed -n 's/^host: //p')
bin_dir="$fuzz_dir/target/$host/release"
if [ "${FUZZ_TRACE_COMPARES:-0}" = 1 ]; then
  bin_dir="$fuzz_dir/target/traced/$host/release"
fi

if [ "$#" -gt 0 ]; then
  targets=("$@")
else
  targets=()
  for dir in "$campaign"/*/; do
    targets+=("$(basename "$dir")")
  done
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/countersign-fold.XXXXXX")
trap 'rm -rf "$work"' EXIT

# `cov: N ft: M` of a run over the given directories without fuzzing.
coverage() {
  "$bin" -runs=0 "$@" 2>&1 | sed -n 's/.*INITED cov: \([0-9]*\) ft: \([0-9]*\).*/cov \1 ft \2/p' | tail -n 1
}

printf '%-24s %-20s %-20s %-20s %s\n' target committed campaign folded added
for target in "${targets[@]}"; do
  bin="$bin_dir/$target"
  if [ ! -x "$bin" ]; then
    echo "fold: no binary $bin (run fuzz/smoke.sh first)" >&2
    exit 1
  fi
  base="$work/$target"
  mkdir -p "$base/seeds" "$base/merged"
  cp -R "$fuzz_dir/corpus/$target/." "$base/seeds/"
  find "$fuzz_dir/regressions/$target" -maxdepth 1 -type f ! -name '.*' -exec cp {} "$base/seeds/" \;
  cp -R "$base/seeds/." "$base/merged/"
  before=$(coverage "$base/seeds")
  found=$(coverage "$campaign/$target")
  "$bin" -use_counters=0 -set_cover_merge=1 "$base/merged" "$campaign/$target" \
    >"$base/merge.log" 2>&1
  added=0
  # The new files, smallest first.
  while IFS= read -r file; do
    [ "$added" -lt "$keep" ] || break
    name="found-$(sha1sum "$file" | cut -c1-12)"
    cp "$file" "$fuzz_dir/corpus/$target/$name"
    added=$((added + 1))
  done < <(comm -13 <(ls "$base/seeds" | sort) <(ls "$base/merged" | sort) |
    while IFS= read -r name; do
      printf '%s %s\n' "$(stat -c %s "$base/merged/$name")" "$base/merged/$name"
    done | sort -n | cut -d' ' -f2-)
  after=$(coverage "$fuzz_dir/corpus/$target" "$fuzz_dir/regressions/$target")
  printf '%-24s %-20s %-20s %-20s %s\n' "$target" "$before" "$found" "$after" "$added"
done
