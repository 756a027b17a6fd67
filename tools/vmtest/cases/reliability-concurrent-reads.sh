# SPDX-License-Identifier: GPL-2.0
# Every report and control file read again and again, in read(2)s of random sizes from 1 byte
# to 64 KiB, by two readers at once (tools/stress readcheck, for 30 s times the suite's timeout
# scale), while reset runs every 50 ms and
# the injector and a load make sections on both CPUs. Every copy must parse strictly (the
# reader's own parsers) and every record must be consistent in itself: on each site
# min <= max <= total, count * min <= total <= count * max and a histogram that adds up to the
# count; the worst list in rank order; min <= avg <= max per wakeup CPU. A torn line or a
# record mixing two resets breaks one of these. The reader's report --json on the live files
# must succeed meanwhile too.
# timeout: 300
ps_load threshold_us=100
inject_load
load_start 1200
inject_loop_start "irq 1 150 5 200" "preempt 0 150 5 200" "nested 1 200 2 200"
(
	while :; do
		echo 1 >"$PS_ROOT/reset" || exit 1
		sleep 0.05
	done
) &
reset_pid=$!
mkdir -p "$PS_OUT/readcheck"
"$PS_BINDIR/readcheck" --seconds $((30 * PS_TIMEOUT_SCALE)) --seed 1 --save "$PS_OUT/readcheck" >"$PS_OUT/readcheck-1.txt" &
r1=$!
"$PS_BINDIR/readcheck" --seconds $((30 * PS_TIMEOUT_SCALE)) --seed 2 --save "$PS_OUT/readcheck" >"$PS_OUT/readcheck-2.txt" &
r2=$!
for i in 1 2 3; do
	"$PS_READER" report --json >/dev/null || die "preemptstat report --json failed during resets"
done
wait "$r1" || die "reader 1: $(cat "$PS_OUT/readcheck-1.txt")"
wait "$r2" || die "reader 2: $(cat "$PS_OUT/readcheck-2.txt")"
kill -0 "$reset_pid" || die "the reset loop failed"
kill "$reset_pid"
inject_loop_stop
load_stop
info "$(cat "$PS_OUT/readcheck-1.txt")"
info "$(cat "$PS_OUT/readcheck-2.txt")"
for f in 1 2; do
	read -r _ n _ <"$PS_OUT/readcheck-$f.txt"
	[ "$n" -ge 5 ] || die "reader $f: only $n snapshots: too few to mean anything"
done
