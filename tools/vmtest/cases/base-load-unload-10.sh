# SPDX-License-Identifier: GPL-2.0
# Ten load/unload cycles, each with a read of the version file.
# timeout: 120
for i in $(seq 10); do
	ps_load
	assert_file_eq "$PS_ROOT/version" "preemptstat debugfs format 2"
	ps_unload
	[ ! -e "$PS_ROOT" ] || die "cycle $i: $PS_ROOT still exists after rmmod"
done
info "10 cycles"
