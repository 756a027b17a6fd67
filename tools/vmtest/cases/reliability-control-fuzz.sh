# SPDX-License-Identifier: GPL-2.0
# 10 000 hostile writes to every writable control file (tools/ctlfuzz): random bytes, huge
# lengths, numbers at and past every bound, signs, whitespace, trailing junk, look-alike digits,
# non-zero offsets and unmapped buffers. Each is checked against the control grammar: every
# invalid one fails with EINVAL (EFAULT for the unmapped buffer) and changes no control (the
# file written is read back after every write, every control after every tenth), every valid
# one is applied (and restored). Afterwards the summary's settings are as before and the
# tracer still records.
# timeout: 600
ps_load
inject_load
settings() {
	grep -E '^(enabled|threshold_us|wakeup_enabled|period_us|wakeup_threshold_us|wakeup_prio|site_slots_per_cpu|worst_per_cpu|log_per_cpu) ' "$PS_ROOT/summary"
	for f in $PS_CONTROL_FILES; do
		[ "$f" = reset ] || echo "$f $(cat "$PS_ROOT/$f")"
	done
}
before=$(settings)
"$PS_BINDIR/ctlfuzz" --root "$PS_ROOT" --writes 10000 --seed "${PS_FUZZ_SEED:-1}" ||
	die "ctlfuzz failed (seed ${PS_FUZZ_SEED:-1})"
after=$(settings)
assert_eq "$after" "$before" "settings after 60 000 writes"
ps_reset
inject "irq 1 300 3"
assert_eq "$(site_field irq inject_irq+ 2)" 3 "sections recorded after the writes"
