#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tools/run-guest.sh - the guest side of 'make run': load preemptstat, run a load, report.

set -u
out=$1
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
reader=$(cat "$out/bindir")/preemptstat
{
	mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug
	echo "# guest: kernel $(uname -r), $(nproc) CPUs under TCG"
	insmod "$repo/rust/preemptstat.ko" || { echo "insmod failed"; exit 1; }
	# A few seconds of mixed load: pipes, context switches, syscalls, file system walks.
	end=$((SECONDS + 5))
	while [ $SECONDS -lt $end ]; do
		dd if=/dev/zero bs=4k count=2000 2>/dev/null | cat >/dev/null
		ls /usr/bin /proc/self >/dev/null 2>&1
	done
	"$reader"
	rmmod preemptstat
	echo "# dmesg failures: $(dmesg | grep -cE 'WARNING:|BUG:|Oops|Call Trace')"
} >"$out/report.txt.tmp" 2>&1
mv "$out/report.txt.tmp" "$out/report.txt"
