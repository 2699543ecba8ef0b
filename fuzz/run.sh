#!/usr/bin/env bash
# Runs every fuzz target for a bounded time on the stable toolchain.
#
#   fuzz/run.sh [SECONDS] [TARGET…]     (default: 60 seconds, every target)
#
# The seed corpus is made at run time from every plan in examples/, tests/cases/
# and stdlib/, plus the hand-written seeds in fuzz/seeds/ (regressions and
# inputs at Plumb's limits). No sanitizer (`-s none`): ASan needs a nightly
# compiler; the build still has debug assertions and overflow checks. Prints the
# executions of each target and fails when a target finds a crash, a timeout or
# a memory blow-up (the input is saved under fuzz/artifacts/TARGET/).
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-60}"
shift || true
if [ "$#" -gt 0 ]; then
    targets=("$@")
else
    mapfile -t targets < <(cargo fuzz list)
fi

seed_files() {
    find examples tests/cases stdlib fuzz/seeds -type f \( -name '*.plumb' -o -name '*.seed' -o -name '*.csv' \) | sort
}

status=0
summary=()
for t in "${targets[@]}"; do
    corpus="fuzz/corpus/$t"
    mkdir -p "$corpus" "fuzz/artifacts/$t"
    while IFS= read -r f; do
        cp "$f" "$corpus/seed-$(sha1sum "$f" | cut -c1-16)"
    done < <(seed_files)
    mkdir -p fuzz/logs
    log="fuzz/logs/$t.log"
    echo "== fuzz $t (${secs}s, $(ls "$corpus" | wc -l) inputs in the corpus)"
    if cargo fuzz run -s none "$t" "$corpus" -- \
        -max_total_time="$secs" -timeout=30 -rss_limit_mb=2048 -max_len=65536 \
        -dict=fuzz/plumb.dict -seed=1 -print_final_stats=1 >"$log" 2>&1; then
        result=ok
    else
        result=FAILED
        status=1
        tail -n 60 "$log"
        for a in "fuzz/artifacts/$t"/crash-* "fuzz/artifacts/$t"/timeout-* "fuzz/artifacts/$t"/oom-*; do
            [ -f "$a" ] && { echo "-- $a (base64):"; base64 -w0 "$a"; echo; }
        done
    fi
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -n1)
    summary+=("$t: ${runs:-?} executions, $result")
done
echo "== fuzz summary"
printf '%s\n' "${summary[@]}"
exit "$status"
