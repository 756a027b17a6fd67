# SPDX-License-Identifier: GPL-2.0
# The module loads and creates its debugfs directory with root-only files.
# timeout: 30
ps_load
[ -d "$PS_ROOT" ] || die "$PS_ROOT missing after insmod"
for f in "$PS_ROOT"/*; do
	mode=$(stat -c %a "$f")
	case "$mode" in 400 | 600 | 200) ;; *) die "$f has mode $mode, not root-only" ;; esac
done
info "files: $(ls "$PS_ROOT" | tr '\n' ' ')"
ps_unload
