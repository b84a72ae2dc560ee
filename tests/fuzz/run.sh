#!/bin/sh
# run.sh - the libFuzzer targets (`make fuzz`, tests/fuzz/README.md) as a
# test suite: each replays its committed seeds (tests/fuzz/<name>/), then
# fuzzes for FUZZ_SECONDS (default 60; `make fuzz-long` gives 600) from
# them. A crash, a leak, a sanitizer report, a timeout or a broken promise
# of the harness fails; the input is kept as BUILD/fuzz/artifacts/<name>-*
# and the line to replay it is printed. Prints each target's executions,
# coverage (cov: edges) and features (ft) at the end.
#
#   sh tests/fuzz/run.sh [BUILD_DIR]      FUZZ_TARGETS="http token pkt"
. "$(dirname "$0")/../lib.sh"
cd "$(dirname "$0")/../.." || exit 2
B=$KG_BUILD
S=${FUZZ_SECONDS:-60}
ART=$B/fuzz/artifacts
DIR=$(mktemp -d /tmp/kg-fuzz-XXXXXX)
trap 'rm -rf "$DIR"' EXIT
mkdir -p "$ART"

# fuzz NAME OPTIONS...: replay the seeds, then fuzz S seconds
fuzz() {
	name=$1
	shift
	f=$B/fuzz/fuzz_$name
	seeds=tests/fuzz/$name
	ok "fuzz-$name.1 target built (make fuzz)" test -x "$f"
	[ -x "$f" ] || return 0
	ok "fuzz-$name.2 the seeds replay clean" "$f" -runs=0 "$@" "$seeds"
	mkdir -p "$DIR/$name"
	if "$f" -max_total_time="$S" -print_final_stats=1 "$@" \
	    -artifact_prefix="$ART/$name-" "$DIR/$name" "$seeds" \
	    >"$DIR/$name.log" 2>&1; then
		T_PASS=$((T_PASS + 1))
	else
		T_FAIL=$((T_FAIL + 1))
		echo "FAIL fuzz-$name.3 ${S} s of fuzzing without a finding"
		cp "$DIR/$name.log" "$ART/$name.log"
		echo "    | whole log: $ART/$name.log"
		grep -a -E '^(fuzz(_[a-z]+)?:|==[0-9]+== ?ERROR|SUMMARY|.*runtime error|ALARM)' \
		    "$DIR/$name.log" | head -n 5 | sed 's/^/    | /'
		grep -a -A 12 -E '^fuzz_[a-z]+:' "$DIR/$name.log" | head -n 30 |
		    sed 's/^/    | /'
		a=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$DIR/$name.log" | tail -n 1)
		[ -n "$a" ] && echo "    | replay: $f $* $a"
	fi
	# "#123 DONE cov: 2486 ft: 3901 ..." and the executions
	done_line=$(grep -a -E '^#[0-9]+[[:space:]]+DONE' "$DIR/$name.log" | tail -n 1)
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$DIR/$name.log" | tail -n 1)
	echo "# fuzz_$name: ${S} s, ${execs:-?} executions, $(echo "$done_line" |
	    sed -n 's/.*\(cov: [0-9]*\) \(ft: [0-9]*\).*/\1 \2/p')"
}

for t in ${FUZZ_TARGETS:-http token pkt}; do
	case $t in
	# http: no per-input leak check: the server threads fill caches during
	# an input, which makes libFuzzer stop the world for LeakSanitizer almost
	# every time (10x slower); leaks are still reported when the run ends.
	# (-timeout: a reply may take two 10 s tries, see fuzz_http.c)
	http)	fuzz http -max_len=20000 -timeout=60 -rss_limit_mb=4096 -detect_leaks=0 \
		    -dict=tests/fuzz/http.dict ;;
	token)	fuzz token -max_len=8192 -timeout=10 -rss_limit_mb=2048 ;;
	pkt)	fuzz pkt -timeout=10 -rss_limit_mb=2048 ;;
	*)	echo "unknown fuzz target $t" ;;
	esac
done
finish
