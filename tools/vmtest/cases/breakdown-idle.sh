# SPDX-License-Identifier: GPL-2.0
# Every wakeup a spike (wakeup_threshold_us=1) on an idle CPU 1 for 10 s: at least 90 % of CPU
# 1's spikes name idle as their cause (the CPU was idle at the expiry; leaving idle is most of
# the window), and the causes file adds up to the spikes counted.
# timeout: 90
ps_load wakeup_threshold_us=1 wakeup_prio=95
ps_reset
taskset -c 0 sleep 10
echo 0 >"$PS_ROOT/wakeup_enable"
info "$(awk '$1 == 1' "$PS_ROOT/causes")"
total=$(awk '$1 == 1 { n += $4 } END { print n + 0 }' "$PS_ROOT/causes")
idle=$(awk '$1 == 1 && $2 == "idle" { print $4 }' "$PS_ROOT/causes")
spikes=$(wakeup_field 1 11)
info "CPU 1: $spikes spikes, $idle of them caused by idle"
[ "$total" -ge "$spikes" ] || die "causes: CPU 1's dominant counts add up to $total, fewer than its $spikes spikes"
[ "$spikes" -ge 1000 ] || die "CPU 1 had $spikes spikes in 10 s at threshold 1 us, expected >= 1000"
[ $((idle * 10)) -ge $((spikes * 9)) ] || die "idle caused $idle of CPU 1's $spikes spikes, less than 90 %"
