# SPDX-License-Identifier: GPL-2.0
# What 'make install' put in a DESTDIR (PS_INSTALL_DIR/destdir, from tools/check.sh's install
# stage) works: depmod -b indexes the module, modprobe -d loads it from there with its debugfs,
# the installed reader reads it, and modprobe -r unloads it.
# timeout: 60
krel=$(uname -r)
[ -n "$PS_INSTALL_DIR" ] || die "PS_INSTALL_DIR is empty (tools/vmtest/vmtest.sh sets it)"
src=$PS_INSTALL_DIR/destdir
[ -f "$src/lib/modules/$krel/updates/preemptstat.ko" ] ||
	die "no $src/lib/modules/$krel/updates/preemptstat.ko: tools/check.sh's install stage makes it for the kernel under test"
! ps_loaded || die "preemptstat is loaded already"
# The host's files are read-only in the guest: depmod writes its index into a copy.
dest=$(mktemp -d) || die "mktemp -d failed"
cp -a "$src/." "$dest/" || die "cannot copy $src"
depmod -b "$dest" "$krel" || die "depmod -b $dest $krel failed"
grep -q "^updates/preemptstat.ko:" "$dest/lib/modules/$krel/modules.dep" ||
	die "modules.dep has no updates/preemptstat.ko: $(cat "$dest/lib/modules/$krel/modules.dep")"
want="insmod $dest/lib/modules/$krel/updates/preemptstat.ko"
got=$(modprobe -d "$dest" --show-depends preemptstat) || die "modprobe -d $dest --show-depends failed"
assert_eq "$(echo $got)" "$want" "what modprobe -d loads"
modprobe -d "$dest" preemptstat || die "modprobe -d $dest preemptstat failed"
ps_loaded || die "preemptstat not in /proc/modules after modprobe"
assert_file_eq "$PS_ROOT/version" "preemptstat debugfs format 2"
out=$("$src/usr/local/bin/preemptstat" version) || die "the installed reader failed on the live debugfs"
grep -qx "format version: 2 (reader supports 2)" <<<"$out" || die "the installed reader printed '$out'"
modprobe -d "$dest" -r preemptstat || die "modprobe -d $dest -r preemptstat failed"
! ps_loaded || die "preemptstat still loaded after modprobe -r"
[ ! -e "$PS_ROOT" ] || die "$PS_ROOT still exists after modprobe -r"
info "modprobe -d loaded and unloaded $want"
