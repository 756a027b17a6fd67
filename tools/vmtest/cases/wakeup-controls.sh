# SPDX-License-Identifier: GPL-2.0
# The wakeup controls reject bad input and keep their state; wakeup_enable 0 stops the
# counts, 1 resumes them; period_us changes the rate.
# timeout: 60
ps_load
bad=(abc -1 "1 2" " 1" "1 " 0x10 1.5 18446744073709551616 "+1" "1abc" "$(printf '1\n2')")
for f in wakeup_enable period_us wakeup_threshold_us; do
	before=$(cat "$PS_ROOT/$f")
	for v in "${bad[@]}"; do
		write_once "$PS_ROOT/$f" "$v" && die "$f accepted '$v'"
	done
	assert_eq "$(cat "$PS_ROOT/$f")" "$before" "$f after bad writes"
done
for v in 2 9; do write_once "$PS_ROOT/wakeup_enable" "$v" && die "wakeup_enable accepted $v"; done
for v in 0 99 1000001; do write_once "$PS_ROOT/period_us" "$v" && die "period_us accepted $v"; done
write_once "$PS_ROOT/wakeup_threshold_us" 10000001 && die "wakeup_threshold_us accepted 10000001"
assert_eq "$(cat "$PS_ROOT/period_us")" 1000 "period_us"
echo 0 >"$PS_ROOT/wakeup_enable"
sleep 0.2
a=$(wakeup_field 0 2)
sleep 1
assert_eq "$(wakeup_field 0 2)" "$a" "CPU 0 interrupts with wakeup_enable 0"
# The expected count follows the time that really passed, measured by the shell itself (no
# fork): on the debug kernel the reset, the writes and the read take a second of their own.
echo 10000 >"$PS_ROOT/period_us"
t0=${EPOCHREALTIME/./}
ps_reset
echo 1 >"$PS_ROOT/wakeup_enable"
t1=${EPOCHREALTIME/./}
sleep 2
t2=${EPOCHREALTIME/./}
n=$(wakeup_field 0 2)
t3=${EPOCHREALTIME/./}
# At most one interrupt per 10 ms from the reset to the read (2% and 2 more for the clocks);
# at least half of one per 10 ms from the enable to the read's start (timers are late under
# TCG, never early).
lo=$(((t2 - t1) / 20000)) hi=$(((t3 - t0) * 102 / 100 / 10000 + 2))
info "$(((t2 - t1) / 1000)) to $(((t3 - t0) / 1000)) ms at 10 ms: $n interrupts (bounds $lo..$hi)"
[ "$n" -ge "$lo" ] && [ "$n" -le "$hi" ] || die "period 10 ms gave $n interrupts, not $lo..$hi"
rmmod preemptstat
insmod "$PS_KO" wakeup=0 || die "insmod wakeup=0 failed"
assert_eq "$(cat "$PS_ROOT/wakeup_enable")" 0 "wakeup_enable after wakeup=0"
sleep 0.5
assert_eq "$(wakeup_field 0 2)" 0 "interrupts with wakeup=0"
rmmod preemptstat
for p in period_us=50 period_us=2000000 wakeup_prio=0 wakeup_prio=100 spikes_per_cpu=0 wakeup_threshold_us=10000001; do
	if insmod "$PS_KO" "$p" 2>/dev/null; then
		rmmod preemptstat
		die "insmod accepted $p"
	fi
done
