# SPDX-License-Identifier: GPL-2.0
# The version file gives the debugfs format version, and the reader agrees with it.
# timeout: 30
ps_load
assert_file_eq "$PS_ROOT/version" "preemptstat debugfs format 2"
[ -x "$PS_READER" ] || die "reader $PS_READER not built"
out=$("$PS_READER" version) || die "reader failed on the live debugfs"
info "reader: $out"
grep -qx "format version: 2 (reader supports 2)" <<<"$out" || die "reader printed '$out'"
ps_unload
