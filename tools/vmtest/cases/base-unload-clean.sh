# SPDX-License-Identifier: GPL-2.0
# Unloading removes the debugfs directory.
# timeout: 30
ps_load
ps_unload
[ ! -e "$PS_ROOT" ] || die "$PS_ROOT still exists after rmmod"
