# SPDX-License-Identifier: GPL-2.0
# An idle VM for 5 s with the wakeup probe off: no section longer than 50 ms at an idle-path
# site (a section that includes halted time is idle, not latency), no section at all longer
# than 1 s, and the idle discards are counted.
# timeout: 60
ps_load wakeup=0
ps_reset
sleep 5
echo 0 >"$PS_ROOT/enable"
info "longest: $(grep -v '^#' "$PS_ROOT/sites" | head -3)"
idle_re='do_idle|default_idle|schedule_idle|cpuidle|cpu_idle|acpi_idle|mwait_idle'
bad=$(sites_awk "if (\$5 > 50000000 && (start ~ /$idle_re/ || end ~ /$idle_re/)) print")
[ -z "$bad" ] || die "a section over 50 ms at an idle-path site: $bad"
awk '!/^#/ && $5 > 1000000000 { print; bad = 1 } END { exit bad }' "$PS_ROOT/sites" ||
	die "a section over 1 s"
n=$(summary_value discarded_idle_any)
info "discarded at idle entry: $n"
[ "$n" -gt 0 ] || die "no section was discarded at idle entry: is the cpu_idle probe working?"
