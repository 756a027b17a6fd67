# SPDX-License-Identifier: GPL-2.0
# A debugfs file held open pins the module: rmmod refuses while it is open, the file still
# reads correctly, and rmmod succeeds once it is closed.
# timeout: 30
ps_load
exec 3<"$PS_ROOT/version"
if rmmod preemptstat 2>/dev/null; then
	die "rmmod succeeded while $PS_ROOT/version was open"
fi
ps_loaded || die "module gone while a file was open"
got=$(cat <&3)
assert_eq "$got" "preemptstat debugfs format 1" "read from the held file"
exec 3<&-
ps_unload
