#!/bin/sh
# fuzz.sh - run the gateway's libFuzzer target ($B/fuzz_pkt, `make fuzz`)
# over the committed seeds, then fuzz for FUZZ_SECONDS (default 30).
# Crashes, leaks and broken invariants (see gateway/fuzz_pkt.c) fail.
. "$(dirname "$0")/../lib.sh"
B=$KG_BUILD
F=$B/fuzz_pkt
S=${FUZZ_SECONDS:-30}
DIR=$(mktemp -d /tmp/kgw-fuzz-XXXXXX)
trap 'rm -rf "$DIR"' EXIT

ok "fuzz-1.1 fuzz target built (make fuzz)" test -x "$F"
ok "fuzz-1.2 seeds run clean" "$F" -runs=0 tests/gateway/fuzz-seeds
mkdir "$DIR/corpus"
ok "fuzz-1.3 ${S} s of fuzzing without a crash" "$F" -max_total_time="$S" \
    -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
    -artifact_prefix="$DIR/" "$DIR/corpus" tests/gateway/fuzz-seeds
finish
