#!/usr/bin/env bash
# Runs every fuzz target, one after the other, for SECONDS each (default 60), then prints one
# summary line per target. Usage: fuzz/run-all.sh [SECONDS] [TARGET...]
#
# The machine has only a stable toolchain, so RUSTC_BOOTSTRAP=1 lets cargo-fuzz use the nightly
# flags it needs (-Zsanitizer=address and friends). SANITIZER=none skips ASan if it fails to link.
# Logs go to fuzz/artifacts/logs/<target>.log; crashes to fuzz/artifacts/<target>/.
set -uo pipefail
cd "$(dirname "$0")/.."   # repository root
seconds=${1:-60}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    mapfile -t targets < <(RUSTC_BOOTSTRAP=1 cargo fuzz list)
fi
sanitizer=${SANITIZER:-address}
export RUSTC_BOOTSTRAP=1

[ -d fuzz/corpus ] || bash fuzz/seed.sh
cargo fuzz build --sanitizer "$sanitizer" || exit 2
mkdir -p fuzz/artifacts/logs
status=0
for target in "${targets[@]}"; do
    log=fuzz/artifacts/logs/$target.log
    echo "== $target: ${seconds}s (log: $log)"
    cargo fuzz run --sanitizer "$sanitizer" "$target" -- \
        -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=5 -print_final_stats=1 >"$log" 2>&1
    rc=$?
    [ $rc -eq 0 ] || status=1
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
    last=$(grep -E '^#[0-9]+' "$log" | tail -1)
    cov=$(echo "$last" | grep -o 'cov: [0-9]*' | grep -o '[0-9]*')
    ft=$(echo "$last" | grep -o 'ft: [0-9]*' | grep -o '[0-9]*')
    corp=$(echo "$last" | grep -o 'corp: [0-9]*' | grep -o '[0-9]*')
    verdict=ok
    [ $rc -eq 0 ] || verdict="FAILED (exit $rc): $(grep -m1 -E '^==[0-9]+== ERROR|panicked at|ERROR: libFuzzer' "$log")"
    printf '%-16s execs=%-10s cov=%-6s ft=%-6s corpus=%-6s %s\n' \
        "$target" "${execs:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$verdict" | tee -a fuzz/artifacts/logs/summary.txt
done
exit $status
