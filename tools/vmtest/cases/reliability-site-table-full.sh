# SPDX-License-Identifier: GPL-2.0
# The site table filled past capacity (64 slots per CPU, under load): a section at a new site
# is dropped from the site table and counted in dropped_KIND (seen = site counts + dropped,
# exactly), and nothing else is lost: the threshold log, the worst list and the per-kind
# histogram still have it, and the sites already in the table keep counting.
# timeout: 200
# The worst list is as long as it goes: under emulation vCPU stalls make sections of tens
# of ms, and the test is about what reaches the list, not about what ranks first.
ps_load sites_per_cpu=64 threshold_us=5000 worst=1000
inject_load
load_start 1200
full=$((64 * $(nproc)))
for i in $(seq 120); do
	[ "$(summary_value site_slots_used)" -ge "$full" ] && break
	sleep 0.5
done
assert_eq "$(summary_value site_slots_used)" "$full" "site slots used after a minute of load"
top=$(sites_awk 'if ($1 == "preempt" && $2 > max) { max = $2; key = start " " end } } END { print key')
c1=$(sites_awk "if (\$1 == \"preempt\" && start \" \" end == \"$top\") print \$2")
inject "irq 1 10000 5 1000"
sleep 1
echo 0 >"$PS_ROOT/enable"
load_stop
c2=$(sites_awk "if (\$1 == \"preempt\" && start \" \" end == \"$top\") print \$2")
info "busiest preempt site $top: $c1 -> $c2"
[ "$c2" -gt "$c1" ] || die "the busiest site stopped counting once the table was full"
assert_eq "$(site_count irq inject_irq+)" 0 "injector sites in a full table"
for k in preempt irq any; do
	seen=$(summary_value "seen_$k") dropped=$(summary_value "dropped_$k")
	sum=$(awk -v k="$k" '$1 == k { s += $2 } END { print s + 0 }' "$PS_ROOT/sites")
	info "$k: seen $seen = sites $sum + dropped $dropped"
	assert_eq "$seen" $((sum + dropped)) "$k: seen vs site counts + dropped"
done
[ "$(summary_value dropped_irq)" -ge 5 ] || die "the injected sections were not counted as dropped"
n=$(awk '!/^#/ && $1 == "irq" && $3 >= 10000000 && /inject_irq\+/' "$PS_ROOT/log" | wc -l)
assert_eq "$n" 5 "dropped-site sections in the threshold log"
n=$(awk '$1 == "section" && $3 == "irq" && $5 >= 10000000 && /inject_irq\+/' "$PS_ROOT/worst" | wc -l)
[ "$n" -eq 5 ] || die "$n dropped-site sections in the worst list, expected 5: $(awk '$1 == "section"' "$PS_ROOT/worst" | cut -c1-150)"
n=$(awk '!/^#/ && $1 == "irq" && $3 >= 8000 { s += $5 } END { print s + 0 }' "$PS_ROOT/hist")
[ "$n" -ge 5 ] || die "the irq histogram has $n sections of 8 ms or more, expected at least 5"
