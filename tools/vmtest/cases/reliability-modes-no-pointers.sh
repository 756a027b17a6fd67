# SPDX-License-Identifier: GPL-2.0
# Every file is root's and root-only: report files 0400, control files 0600, reset 0200, and no
# other file. Checked with stat, and by a non-root process after /sys/kernel/debug (0700
# itself, which would hide a wrong file mode) and the directory are made traversable. No report
# file, no reader output and no kernel message of the module holds a raw kernel pointer.
# timeout: 120
ps_load threshold_us=100 wakeup_threshold_us=200
inject_load
inject "irq 1 2000 3 500"
inject "preempt 1 2000 3 500"
inject "nested 0 1000 2 500"
sleep 1
# Modes and owners.
for f in "$PS_ROOT"/*; do
	name=$(basename "$f")
	case " $PS_REPORT_FILES " in *" $name "*) want=400 ;; *)
		case " $PS_CONTROL_FILES " in *" $name "*) want=600 ;; *) die "unexpected file $name" ;; esac ;;
	esac
	[ "$name" = reset ] && want=200
	assert_eq "$(stat -c '%a %u %g' "$f")" "$want 0 0" "mode and owner of $name"
done
assert_eq "$(ls "$PS_ROOT" | wc -l)" "$(echo $PS_REPORT_FILES $PS_CONTROL_FILES | wc -w)" "number of files"
# A non-root process, with every directory on the way traversable.
debug_mode=$(stat -c %a /sys/kernel/debug) dir_mode=$(stat -c %a "$PS_ROOT")
trap 'chmod "$debug_mode" /sys/kernel/debug; chmod "$dir_mode" "$PS_ROOT" 2>/dev/null' EXIT
chmod 0755 /sys/kernel/debug "$PS_ROOT"
nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"
}
nobody ls "$PS_ROOT" >/dev/null || die "nobody cannot list $PS_ROOT: the checks below would prove nothing"
for f in "$PS_ROOT"/*; do
	! nobody cat "$f" >/dev/null 2>&1 || die "nobody read $f"
	! nobody sh -c "printf 1 >'$f'" 2>/dev/null || die "nobody wrote $f"
done
chmod "$debug_mode" /sys/kernel/debug
chmod "$dir_mode" "$PS_ROOT"
trap - EXIT
# No raw kernel pointers: 16 hex digits with a letter, or 0x and 9 or more, or ffff... anywhere.
pointers() {
	grep -Eio '(0x[0-9a-f]{9,}|[0-9a-f]{16}|ffff[0-9a-f]{8,})' | grep -i '[a-fx]' || true
}
for f in $PS_REPORT_FILES; do
	p=$(pointers <"$PS_ROOT/$f")
	[ -z "$p" ] || die "$f shows raw pointers: $(head -3 <<<"$p" | tr '\n' ' ')"
done
for cmd in "report" "report --json" "worst" "log" "wakeup" "sites --limit 50"; do
	# shellcheck disable=SC2086
	out=$("$PS_READER" $cmd) || die "preemptstat $cmd failed"
	p=$(pointers <<<"$out")
	[ -z "$p" ] || die "preemptstat $cmd shows raw pointers: $(head -3 <<<"$p" | tr '\n' ' ')"
done
p=$(dmesg | grep -i preemptstat | pointers)
[ -z "$p" ] || die "the kernel log shows raw pointers: $p"
[ "$(grep -c inject_irq+ "$PS_ROOT/sites")" -gt 0 ] || die "no injector site: nothing was checked"
