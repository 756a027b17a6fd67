# SPDX-License-Identifier: GPL-2.0
# Every control file rejects bad input with EINVAL and keeps its state.
# timeout: 60
ps_load threshold_us=700
bad=(abc -1 "1 2" " 1" "1 " 0x10 1.5 18446744073709551616 99999999999999999999999 "+1" "1abc" "$(printf '1\n2')" "$(head -c 100 /dev/zero | tr '\0' 1)")
try_bad() {
	local file=$1 before after v
	before=$(cat "$PS_ROOT/$file" 2>/dev/null || echo write-only)
	for v in "${bad[@]}" "$@"; do
		if write_once "$PS_ROOT/$file" "$v"; then
			die "$file accepted '$v'"
		fi
	done
	after=$(cat "$PS_ROOT/$file" 2>/dev/null || echo write-only)
	assert_eq "$after" "$before" "$file after bad writes"
}
try_bad enable 2 10
try_bad threshold_us 10000001
write_once "$PS_ROOT/threshold_us" 300 || die "one write of 300 rejected"
assert_eq "$(cat "$PS_ROOT/threshold_us")" 300 "threshold_us written once"
echo 700 >"$PS_ROOT/threshold_us"
try_bad reset 0 2
assert_eq "$(cat "$PS_ROOT/threshold_us")" 700 "threshold_us from the module parameter"
echo 250 >"$PS_ROOT/threshold_us" || die "threshold_us rejected 250"
assert_eq "$(cat "$PS_ROOT/threshold_us")" 250 "threshold_us"
echo 0 >"$PS_ROOT/enable" && assert_eq "$(cat "$PS_ROOT/enable")" 0 "enable"
echo 1 >"$PS_ROOT/enable" && assert_eq "$(cat "$PS_ROOT/enable")" 1 "enable"
echo 1 >"$PS_ROOT/reset" || die "reset rejected 1"
# Bad module parameters fail the load.
rmmod preemptstat
for p in sites_per_cpu=1 worst=0 log_entries=2 threshold_us=99999999999; do
	if insmod "$PS_KO" "$p" 2>/dev/null; then
		rmmod preemptstat
		die "insmod accepted $p"
	fi
done
