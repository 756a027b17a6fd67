# SPDX-License-Identifier: GPL-2.0
# The module Debian's dkms built (PS_INSTALL_DIR/dkms/tree, from tools/check.sh's dkms stage)
# is for this kernel, loads with its debugfs and unloads.
# timeout: 60
krel=$(uname -r)
[ -n "$PS_INSTALL_DIR" ] || die "PS_INSTALL_DIR is empty (tools/vmtest/vmtest.sh sets it)"
kos=("$PS_INSTALL_DIR"/dkms/tree/preemptstat/*/"$krel"/*/module/preemptstat.ko)
[ "${#kos[@]}" -eq 1 ] && [ -f "${kos[0]}" ] ||
	die "not one dkms-built module for $krel in $PS_INSTALL_DIR/dkms/tree: ${kos[*]} (tools/check.sh's dkms stage builds it)"
ko=${kos[0]}
vermagic=$(modinfo -F vermagic "$ko") || die "modinfo $ko failed"
assert_eq "${vermagic%% *}" "$krel" "the release $ko was built for"
! ps_loaded || die "preemptstat is loaded already"
insmod "$ko" || die "insmod $ko failed"
ps_loaded || die "preemptstat not in /proc/modules after insmod"
assert_file_eq "$PS_ROOT/version" "preemptstat debugfs format 2"
ps_unload
[ ! -e "$PS_ROOT" ] || die "$PS_ROOT still exists after rmmod"
info "loaded and unloaded ${ko#"$PS_INSTALL_DIR"/}"
