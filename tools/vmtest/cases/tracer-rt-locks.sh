# SPDX-License-Identifier: GPL-2.0
# What a lock does depends on the kernel. On PREEMPT_RT spin_lock() and spin_lock_irqsave() are
# sleeping locks: no section is recorded at their callers, and no site elsewhere holds their
# three 2 ms holds; only raw_spin_lock_irqsave() opens an irqs-off and a preempt-off section.
# Elsewhere all three do.
# timeout: 120
ps_load wakeup=0
inject_load
ps_reset
for m in spin_lock spin_lock_irqsave raw_spin_lock_irqsave; do
	inject "$m 1 2000 3 500"
done
echo 0 >"$PS_ROOT/enable"
for k in preempt irq any; do
	assert_eq "$(site_field "$k" inject_raw_spin_lock_irqsave+ 2)" 3 "$k sections of raw_spin_lock_irqsave"
done
if kernel_is_rt; then
	for f in inject_spin_lock+ inject_spin_lock_irqsave+; do
		for k in preempt irq any; do
			assert_eq "$(site_count "$k" "$f")" 0 "PREEMPT_RT: $k sites at $f"
		done
	done
	# A sleeping lock must not show up as sections under another name either: three 2 ms
	# holds would put at least three sections of 1 ms or more (hist bucket 11 and up) on
	# one site. A single long section elsewhere is emulation (the other vCPU ran while
	# this one was stopped), not a lock.
	long=$(sites_awk 'if (!index(start, "inject_raw_spin_lock_irqsave+")) {
		n = 0; split($11, b, ",")
		for (i in b) { split(b[i], p, ":"); if (p[1] + 0 >= 11) n += p[2] }
		if (n >= 3) print }')
	[ -z "$long" ] || die "PREEMPT_RT: 3 sections of 1 ms or more outside the raw lock: $long"
	info "PREEMPT_RT: spin_lock and spin_lock_irqsave opened no section"
else
	assert_eq "$(site_field preempt inject_spin_lock+ 2)" 3 "preempt sections of spin_lock"
	assert_eq "$(site_count irq inject_spin_lock+)" 0 "irq sites of spin_lock"
	for k in preempt irq; do
		assert_eq "$(site_field "$k" inject_spin_lock_irqsave+ 2)" 3 "$k sections of spin_lock_irqsave"
	done
fi
