# SPDX-License-Identifier: GPL-2.0
# Every debugfs file, held open across rmmod: rmmod refuses with "in use", the module stays,
# the held file still reads (report files) or writes (control files) correctly, and once it is
# closed rmmod succeeds. (The kernel::debugfs abstraction, without .owner, lets rmmod succeed
# here and the later close oopses in full_proxy_release.)
# timeout: 120
ps_load
for f in $PS_REPORT_FILES $PS_CONTROL_FILES; do
	[ -e "$PS_ROOT/$f" ] || die "no file $f"
	if [ -r "$PS_ROOT/$f" ] && [ "$f" != reset ]; then
		exec 3<"$PS_ROOT/$f"
	else
		exec 3>"$PS_ROOT/$f"
	fi
	err=$(rmmod preemptstat 2>&1) && die "rmmod succeeded while $f was open"
	grep -q 'in use' <<<"$err" || die "rmmod with $f open: '$err', expected 'in use'"
	ps_loaded || die "module gone while $f was open"
	case "$f" in
	version) assert_eq "$(cat <&3)" "preemptstat debugfs format 2" "read from the held $f" ;;
	reset) printf '1' >&3 || die "write to the held $f failed" ;;
	enable | wakeup_enable) assert_eq "$(cat <&3)" 1 "read from the held $f" ;;
	*) [ -n "$(cat <&3)" ] || die "the held $f read empty" ;;
	esac
	exec 3>&-
done
ps_unload
info "$(echo $PS_REPORT_FILES $PS_CONTROL_FILES | wc -w) files held open across rmmod"
