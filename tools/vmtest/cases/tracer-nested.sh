# SPDX-License-Identifier: GPL-2.0
# A preempt-off section containing a shorter irqs-off section gives one preempt, one irq and
# one any section per injection, all starting in inject_nested; the irq one is about half as
# long and the any one as long as the preempt one (counted once, not twice).
# timeout: 60
ps_load
inject_load
ps_reset
inject "nested 1 4000 4 500"
for k in preempt irq any; do
	info "$k: $(site_line $k inject_nested+)"
	assert_eq "$(site_field $k inject_nested+ 2)" 4 "$k sections at inject_nested"
done
p=$(site_field preempt inject_nested+ 5)
i=$(site_field irq inject_nested+ 5)
a=$(site_field any inject_nested+ 5)
[ "$p" -ge 4000000 ] || die "preempt max $p < 4 ms"
[ "$i" -ge 2000000 ] && [ "$i" -lt 3500000 ] || die "irq max $i not about 2 ms"
[ "$a" -ge "$p" ] || die "any max $a < preempt max $p"
[ "$a" -lt $((p + 1000000)) ] || die "any max $a far above preempt max $p: counted twice?"
