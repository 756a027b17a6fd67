# SPDX-License-Identifier: GPL-2.0
# preemptstat's breakdown and rtla's timerlat auto-analysis (the rtla of this kernel's series,
# tools/rtla.sh) on the same injected causes on CPU 1, 50 ms each, one tool at a time: for each
# cause, three spikes of preemptstat's and three rtla runs (each stopping at a thread or IRQ
# latency of 25 ms and analyzing it: emulation alone reaches 10 ms). Every preemptstat spike of
# 25 ms or more must name the
# injected class, and at least two of the three rtla runs must name as their largest share the
# category rtla's analysis gives that cause:
#   irqsoff section     irqsoff     IRQ handler delay     (the timer interrupt was held off)
#   hard irq_work       irq         IRQ handler delay     (rtla: the same; preemptstat names it)
#   preempt-off section preemptoff  Blocking thread
#   tasklet             softirq     Softirq interference  (not on PREEMPT_RT: preemptible there)
#   SCHED_FIFO 96 task  task        Blocking thread       (rtla: the same as preempt-off)
# Prints both tools' figures side by side. CPU 1 runs a nice 19 busy loop throughout, for both
# tools: an idle vCPU under TCG sometimes wakes tens of ms late, which either tool would report
# (rtla as "IRQ latency from idle"), and that is not the injected cause.
# timeout: 300
[ -n "$PS_RTLA" ] || die "no rtla for this kernel series (tools/rtla.sh build SERIES)"
[ -x "$PS_RTLA" ] || die "rtla $PS_RTLA is not an executable"
mountpoint -q "$TRACEFS" || mount -t tracefs nodev "$TRACEFS"

# rtla_run MODE: one rtla timerlat run on CPU 1 that stops at 25 ms and prints its analysis,
# with MODE injected until it stops; prints "CATEGORY|PERCENT|US" of rtla's largest share, or
# "FAIL|reason" (it runs in a command substitution: die would only end that).
rtla_run() {
	local log=/tmp/rtla.$$ pid i
	# -T: stop on a thread latency only. Stopping on IRQ latency too (-a, --aa-only) stops on
	# the next period after a late thread instead: its timer, armed from the late wakeup, has
	# already expired when it is armed, and its "IRQ latency" is the delay just measured.
	# -k: timerlat's kernel threads (timerlat/CPU, FIFO:95), as preemptstat's; newer rtla
	# defaults to threads of its own in user space.
	(cd /tmp && exec "$PS_RTLA" timerlat top -c 1 -k -T 25000 -q -d 60s) >"$log" 2>&1 &
	pid=$!
	# The timerlat thread on CPU 1 is there when rtla has set the tracer up (its name is
	# checked once: walking /proc is slow under emulation).
	for ((i = 0; i < 300; i++)); do
		[ -d /proc/$pid ] || break
		grep -qx timerlat "$TRACEFS"/instances/*/current_tracer 2>/dev/null && break
		sleep 0.1
	done
	# (It may have stopped already, on something else: its analysis says what.)
	if kill -0 "$pid" 2>/dev/null; then
		sleep 0.5
		[ "$(count_threads timerlat/1)" -gt 0 ] ||
			{ kill -INT "$pid"; wait "$pid"; echo "FAIL|rtla -k started no timerlat/1 thread"; return; }
	fi
	# Under emulation rtla may take seconds more to start tracing: inject until it stops.
	for ((i = 0; i < 30; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		inject "$1 1 50000 1"
		sleep 0.5
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill -INT "$pid"
		wait "$pid"
		cat "$log" >&2
		echo "FAIL|rtla did not stop on 25 ms in 30 injections of $1"
		return
	fi
	wait "$pid"
	grep -q "hit stop tracing" "$log" || { cat "$log" >&2; echo "FAIL|rtla ended without an analysis"; return; }
	cat "$log" >>"$PS_OUT/breakdown-vs-rtla.rtla.txt"
	# "  NAME: ... N.NN us (P.PP %)" lines; the largest share.
	sed -n 's/^  \([A-Za-z][A-Za-z ]*[a-z]\):\{0,1\} .* \([0-9.]*\) us (\([0-9.]*\) %)$/\3|\1|\2/p' "$log" |
		sort -t'|' -k1,1nr | head -n 1 | awk -F'|' '{ print $2 "|" $1 "|" $3 }'
}

ps_load wakeup_threshold_us=25000 spikes_per_cpu=4096
inject_load
busy_start 1
echo 0 >"$PS_ROOT/wakeup_enable"
: >"$PS_OUT/breakdown-vs-rtla.rtla.txt"
causes="irq:irqsoff:IRQ handler delay
hardirq:irq:IRQ handler delay
preempt:preemptoff:Blocking thread
softirq:softirq:Softirq interference
fifo:task:Blocking thread"
kernel_is_rt && causes=$(grep -v '^softirq:' <<<"$causes")
info "mode       preemptstat (class cause_ms/thread_ms)       rtla (largest share, us)"
while IFS=: read -r mode class want; do
	# preemptstat: three injections, wakeup probe on, rtla not running.
	echo 1 >"$PS_ROOT/wakeup_enable"
	ps_reset
	inject "$mode 1 50000 3 200000"
	sleep 0.2
	echo 0 >"$PS_ROOT/wakeup_enable"
	ps=$(cause_lines 1 25000000)
	n=$(grep -c . <<<"$ps" || true)
	ok=$(awk -v c="$class" '$3 == c' <<<"$ps" | grep -c . || true)
	ps_fig=$(awk '{ printf "%s %.1f/%.1f ", $3, $4 / 1e6, $2 / 1e6 }' <<<"$ps")
	# rtla: three runs, preemptstat's wakeup probe off.
	rt_fig= rt_ok=0
	for run in 1 2 3; do
		r=$(rtla_run "$mode")
		[ "${r%%|*}" != FAIL ] || die "$mode, rtla run $run: ${r#FAIL|}"
		rt_fig+="${r%%|*} ${r##*|}; "
		[ "${r%%|*}" = "$want" ] && rt_ok=$((rt_ok + 1))
	done
	info "$(printf '%-10s %-44s %s' "$mode" "$ps_fig" "$rt_fig")"
	[ "$n" -ge 3 ] || die "$mode: preemptstat recorded $n spikes of 25 ms on CPU 1, expected 3"
	[ "$ok" -eq "$n" ] || die "$mode: $ok of preemptstat's $n spikes name $class"
	# rtla's own analysis is sometimes wrong under emulation (one run of the fifo cause gave an
	# "IRQ handler delay" of 199703343 us, 4000 times its thread latency): two of three.
	[ "$rt_ok" -ge 2 ] || die "$mode: $rt_ok of 3 rtla runs name '$want' as the largest share"
done <<<"$causes"
