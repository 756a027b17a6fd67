# SPDX-License-Identifier: GPL-2.0
# preemptstat's wakeup probe and the kernel's timerlat tracer, one after the other in the same
# boot on the same load (5 s each, 1 ms period): prints both IRQ and thread latency
# distributions (median, p99, max) and checks that both measured at least 2000 wakeups per
# latency (of 10000 periods: under emulation and load both miss many; the figures go into
# Documentation/preemptstat.rst).
# timeout: 120

# pct_hist P: the P-th percentile (upper bucket bound, us) of "lo_us count" lines on stdin.
pct_hist() {
	sort -n | awk -v p="$1" '{ lo[NR] = $1; hi[NR] = $2; n[NR] = $3; t += $3 }
		END { need = t * p / 100; c = 0; for (i = 1; i <= NR; i++) { c += n[i]; if (c >= need) { print hi[i]; exit } } }'
}
# pct_raw P: the P-th percentile of values (ns) on stdin, in us.
pct_raw() {
	sort -n | awk -v p="$1" '{ v[NR] = $1 } END { i = int(NR * p / 100); if (i < 1) i = 1; printf "%d\n", v[i] / 1000 }'
}

ps_load period_us=1000
ps_reset
load_for 5
echo 0 >"$PS_ROOT/wakeup_enable"
for ctx in irq thread; do
	awk -v c="$ctx" '!/^#/ && $2 == c { print $4, ($5 == "inf" ? $4 : $5), $6 }' "$PS_ROOT/wakeup_hist" >/tmp/ps_$ctx
	n=$(awk '{ t += $3 } END { print t + 0 }' /tmp/ps_$ctx)
	max=$(awk -v f=$([ $ctx = irq ] && echo 5 || echo 9) '!/^#/ { if ($f > m) m = $f } END { print int(m / 1000) }' "$PS_ROOT/wakeup")
	info "preemptstat $ctx: n=$n median<=$(pct_hist 50 </tmp/ps_$ctx) us p99<=$(pct_hist 99 </tmp/ps_$ctx) us max=$max us"
	[ "$n" -ge 2000 ] || die "preemptstat measured only $n $ctx wakeups in 5 s on 2 CPUs at 1 ms"
done
rmmod preemptstat

mountpoint -q "$TRACEFS" || mount -t tracefs nodev "$TRACEFS"
echo 0 >"$TRACEFS/tracing_on"
echo nop >"$TRACEFS/current_tracer"
echo 20000 >"$TRACEFS/buffer_size_kb"
echo 1000 >"$TRACEFS/osnoise/timerlat_period_us"
echo timerlat >"$TRACEFS/current_tracer" || die "no timerlat tracer"
echo >"$TRACEFS/trace"
echo 1 >"$TRACEFS/tracing_on"
load_for 5
echo 0 >"$TRACEFS/tracing_on"
for ctx in irq thread; do
	grep -o "context *$ctx timer_latency *[0-9]* ns" "$TRACEFS/trace" | awk '{ print $4 }' >/tmp/tl_$ctx
	n=$(wc -l </tmp/tl_$ctx)
	info "timerlat    $ctx: n=$n median=$(pct_raw 50 </tmp/tl_$ctx) us p99=$(pct_raw 99 </tmp/tl_$ctx) us max=$(pct_raw 100 </tmp/tl_$ctx) us"
	[ "$n" -ge 2000 ] || die "timerlat measured only $n $ctx wakeups"
done
echo nop >"$TRACEFS/current_tracer"
