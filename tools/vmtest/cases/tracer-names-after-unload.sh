# SPDX-License-Identifier: GPL-2.0
# Site names of a module stay readable after it is unloaded, and a module loaded again at the
# same addresses does not merge into the old (retired) sites.
# timeout: 60
ps_load
inject_load
ps_reset
inject "irq 1 200 3"
before=$(site_line irq inject_irq+)
[ -n "$before" ] || die "no inject_irq site"
rmmod preemptstat_inject || die "rmmod preemptstat_inject"
after=$(site_line irq inject_irq+)
info "after unload: $after"
[ -n "$after" ] || die "inject_irq site name lost after unload"
grep -q '\[preemptstat_inject\]' <<<"$after" || die "module name lost after unload"
assert_eq "$(awk '{print $2}' <<<"$after")" 3 "count kept after unload"
inject_load
inject "irq 1 200 2"
n=$(site_count irq inject_irq+)
assert_eq "$n" 2 "inject_irq sites (retired + new)"
