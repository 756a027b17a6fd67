# SPDX-License-Identifier: GPL-2.0
# preemptstat's trace events with the real tools. trace-cmd (Debian's) records -e preemptstat
# around injected irqs-off and preempt-off sections and late wakeups, with the thresholds on
# only while it records: it has one preemptstat:section event per log record of each kind (an
# irq injection gives an irq and an any record), with the log's duration_ns and end_ns, and one
# preemptstat:wakeup_spike with merged=0 per spike in the spikes file (same expiry and thread
# latency), no events lost. A hist:keys=start.sym trigger on the section event counts the
# injected site. perf (Debian's) record -e 'preemptstat:*' and perf script show the same
# sections as the log.
# timeout: 240
command -v trace-cmd >/dev/null || die "trace-cmd not installed (tools/setup.sh installs it)"
command -v perf >/dev/null || die "perf not installed (tools/setup.sh installs linux-perf)"
mountpoint -q "$TRACEFS" || mount -t tracefs nodev "$TRACEFS"
ev=$TRACEFS/events/preemptstat
ps_load threshold_us=0 wakeup_threshold_us=0 spikes_per_cpu=4096 log_entries=4096
inject_load
[ -d "$ev/section" ] && [ -d "$ev/wakeup_spike" ] || die "no preemptstat events in $ev"
info "$(grep -h '^print fmt' "$ev/section/format" "$ev/wakeup_spike/format" | cut -c1-150)"

# log_keys: "kind duration_ns end_ns" of every log record, sorted.
log_keys() {
	awk '!/^#/ { print $1, $3, $7 }' "$PS_ROOT/log" | sort
}
# spike_keys: "cpu expiry_ns thread_ns" of every spike, sorted.
spike_keys() {
	awk '!/^#/ { print $1, $2, $4 }' "$PS_ROOT/spikes" | sort
}
# event_section_keys: the same three of every section event in the text on stdin.
event_section_keys() {
	grep -o 'kind=[a-z]* duration_ns=[0-9]* end_ns=[0-9]*' |
		sed 's/[a-z_]*=//g' | sort
}

# --- trace-cmd -------------------------------------------------------------------------------
rm -f /tmp/ps-tc.dat
trace-cmd record -e preemptstat -o /tmp/ps-tc.dat >/tmp/ps-tc.log 2>&1 &
tc=$!
for ((i = 0; i < 300; i++)); do
	[ "$(cat "$ev/section/enable")" = 1 ] && [ "$(cat "$ev/wakeup_spike/enable")" = 1 ] && break
	kill -0 "$tc" 2>/dev/null || { cat /tmp/ps-tc.log >&2; die "trace-cmd record exited"; }
	sleep 0.1
done
[ "$(cat "$ev/section/enable")" = 1 ] || die "trace-cmd did not enable preemptstat:section"
ps_reset
echo 5000 >"$PS_ROOT/threshold_us"
echo 5000 >"$PS_ROOT/wakeup_threshold_us"
inject "irq 1 10000 3 50000"
inject "preempt 1 20000 3 50000"
echo 0 >"$PS_ROOT/threshold_us"
echo 0 >"$PS_ROOT/wakeup_threshold_us"
sleep 0.5
kill -INT "$tc"
wait "$tc" || { cat /tmp/ps-tc.log >&2; die "trace-cmd record failed"; }
trace-cmd report -i /tmp/ps-tc.dat >/tmp/ps-tc.txt 2>&1 || die "trace-cmd report failed: $(tail -n 3 /tmp/ps-tc.txt)"
info "trace-cmd report (excerpt):"
info "$(grep -E -m 2 ' section: +kind=irq' /tmp/ps-tc.txt)"
info "$(grep -E -m 1 ' section: +kind=any' /tmp/ps-tc.txt)"
info "$(grep -E -m 1 ' wakeup_spike: +cpu=1 ' /tmp/ps-tc.txt)"
if grep -Eqi 'events? (lost|dropped)|LOST EVENTS|EVENTS DROPPED' /tmp/ps-tc.txt /tmp/ps-tc.log; then
	die "trace-cmd lost events: $(grep -Ei 'lost|dropped' /tmp/ps-tc.txt /tmp/ps-tc.log | head -n 3)"
fi
log=$(log_keys)
for k in irq preempt any; do
	nl=$(awk -v k="$k" '$1 == k' <<<"$log" | grep -c . || true)
	ne=$(event_section_keys </tmp/ps-tc.txt | awk -v k="$k" '$1 == k' | grep -c . || true)
	info "$k: $nl log records, $ne section events"
done
[ "$(awk '$1 == "irq"' <<<"$log" | grep -c .)" -ge 3 ] || die "the log has fewer than 3 irq records"
[ "$(awk '$1 == "preempt"' <<<"$log" | grep -c .)" -ge 3 ] || die "the log has fewer than 3 preempt records"
[ "$(awk '$1 == "any"' <<<"$log" | grep -c .)" -ge 6 ] || die "the log has fewer than 6 any records"
diff <(echo "$log") <(event_section_keys </tmp/ps-tc.txt) >/tmp/ps-diff ||
	die "trace-cmd's section events differ from the log (< log, > events): $(head -n 6 /tmp/ps-diff | tr '\n' ' ')"
grep -E ' section: +kind=irq' /tmp/ps-tc.txt | grep -Eq 'start=[^ ]*inject_irq\+' ||
	die "no irq section event with start=...inject_irq+ (%pS of the stored address)"
spikes=$(spike_keys)
events=$(grep -o 'cpu=[0-9]* expiry_ns=[0-9]* irq_ns=[0-9]* thread_ns=[0-9]* .* merged=0' /tmp/ps-tc.txt |
	awk '{ print $1, $2, $4 }' | sed 's/[a-z_]*=//g' | sort)
ns=$(grep -c . <<<"$spikes" || true)
info "$ns spikes, $(grep -c . <<<"$events") wakeup_spike events with merged=0"
[ "$ns" -ge 3 ] || die "only $ns spikes for three 20 ms preempt-off sections"
[ "$spikes" = "$events" ] || die "wakeup_spike events (merged=0) differ from the spikes file"
grep -E ' wakeup_spike: +cpu=1 ' /tmp/ps-tc.txt | grep -Eq 'start=[^ ]*inject_preempt\+.*cause=preemptoff' ||
	die "no wakeup_spike event on CPU 1 blaming inject_preempt with cause preemptoff"

# --- hist trigger ----------------------------------------------------------------------------
echo 'hist:keys=start.sym' >"$ev/section/trigger" || die "the kernel refused hist:keys=start.sym"
echo 1 >"$ev/section/enable"
echo 5000 >"$PS_ROOT/threshold_us"
inject "irq 1 10000 4 50000"
echo 0 >"$PS_ROOT/threshold_us"
hits=$(awk '/start: *\[[0-9a-f]*\] [^ ]*inject_irq[ +]/ { for (i = 1; i < NF; i++) if ($i == "hitcount:") n += $(i + 1) }
	END { print n + 0 }' "$ev/section/hist")
info "hist: $(grep -m 1 'inject_irq' "$ev/section/hist")"
echo '!hist:keys=start.sym' >"$ev/section/trigger"
echo 0 >"$ev/section/enable"
# Four irq sections and their four any sections start at inject_irq.
[ "${hits:-0}" -ge 8 ] || die "hist trigger counted ${hits:-0} sections starting in inject_irq, expected >= 8"

# --- perf ------------------------------------------------------------------------------------
# The threshold is on only inside the command perf runs, while it records (perf takes a second
# or more to start under emulation, and its own start makes sections of several ms).
ps_reset
rm -f /tmp/ps.perf
perf record -q -e 'preemptstat:*' -a -o /tmp/ps.perf -- \
	sh -c "echo 5000 >$PS_ROOT/threshold_us && echo 'irq 1 10000 2 50000' >$PS_INJECT &&
		echo 'preempt 1 10000 2 50000' >$PS_INJECT && echo 0 >$PS_ROOT/threshold_us" \
	>/tmp/ps-perf.log 2>&1 || { cat /tmp/ps-perf.log >&2; die "perf record failed"; }
[ "$(cat "$PS_ROOT/threshold_us")" = 0 ] || die "the command perf ran did not finish"
perf script -i /tmp/ps.perf >/tmp/ps-perf.txt 2>>/tmp/ps-perf.log || die "perf script failed: $(tail -n 3 /tmp/ps-perf.log)"
info "perf script (excerpt): $(grep -m 1 'preemptstat:section' /tmp/ps-perf.txt)"
log=$(log_keys)
[ "$(grep -c . <<<"$log")" -ge 8 ] || die "the log has fewer than 8 records after two irq and two preempt injections"
diff <(echo "$log") <(event_section_keys </tmp/ps-perf.txt) >/tmp/ps-diff ||
	die "perf's section events differ from the log (< log, > events): $(head -n 6 /tmp/ps-diff | tr '\n' ' ')"
