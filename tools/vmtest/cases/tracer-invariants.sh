# SPDX-License-Identifier: GPL-2.0
# reset under load, then enable 0: sections seen = sum of per-site counts + dropped, exactly,
# per kind; min <= max <= total on every site; and the same holds with a table so small that
# sections are dropped.
# timeout: 120
check_invariants() {
	local k seen dropped sum
	for k in preempt irq any; do
		seen=$(summary_value "seen_$k")
		dropped=$(summary_value "dropped_$k")
		sum=$(awk -v k="$k" '$1 == k { s += $2 } END { print s + 0 }' "$PS_ROOT/sites")
		info "$k: seen $seen = sites $sum + dropped $dropped"
		[ "$seen" -gt 0 ] || die "no $k section seen"
		assert_eq "$seen" $((sum + dropped)) "$k: seen vs site counts + dropped"
	done
	awk '!/^#/ && !($4 <= $5 && $5 <= $3) { print; bad = 1 } END { exit bad }' "$PS_ROOT/sites" ||
		die "a site breaks min <= max <= total"
}
ps_load
inject_load
load_start 600
inject "irq 1 100 5"
ps_reset
inject "preempt 1 100 5"
sleep 1
echo 0 >"$PS_ROOT/enable"
check_invariants
load_stop
rmmod preemptstat_inject
rmmod preemptstat
ps_load sites_per_cpu=64
load_start 600
sleep 2
echo 0 >"$PS_ROOT/enable"
load_stop
[ "$(summary_value dropped_any)" -gt 0 ] || die "a 64-slot table dropped nothing"
check_invariants
