#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tools/vmtest/capture-fixtures.sh - regenerate the reader's test fixtures from a real run:
# boots the test kernel, loads preemptstat and the injector, injects known sections, and
# copies every debugfs file into tools/preemptstat/tests/fixtures/v2-live/ (or the directory
# given as the first argument).

set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=tools/env.sh
. "$here/../env.sh"
kdir=$("$here/../kernel.sh" print-kdir standard)
out=$(mktemp -d)
cat >"$out/guest.sh" <<'GUEST'
#!/bin/bash
set -e
out=$1 repo=$2
mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug
insmod "$repo/rust/preemptstat.ko" threshold_us=500 wakeup_threshold_us=3000
insmod "$repo/samples/preemptstat_inject.ko"
P=/sys/kernel/debug/preemptstat
echo 1 >$P/reset
for m in irq preempt raw_spin_lock_irqsave spin_lock nested; do
	echo "$m 1 2000 2" >/sys/kernel/debug/preemptstat_inject/inject
done
# Late wakeups blamed on the injector.
echo "irq 1 5000 2 20000" >/sys/kernel/debug/preemptstat_inject/inject
echo "preempt 1 5000 2 20000" >/sys/kernel/debug/preemptstat_inject/inject
sleep 1
echo 0 >$P/wakeup_enable
echo 0 >$P/enable
mkdir -p "$out/v2-live"
for f in version summary sites worst log hist enable threshold_us wakeup wakeup_hist spikes \
	spikes_worst spike_parts causes wakeup_enable period_us wakeup_threshold_us; do
	cat $P/$f >"$out/v2-live/$f"
done
touch "$out/done"
GUEST
chmod +x "$out/guest.sh"
vng --run "$kdir" --disable-kvm --user root --cpus 2 --memory 1G --rwdir "$out" \
	--exec "$out/guest.sh $out $repo" </dev/null >"$out/console.log" 2>&1 || true
[ -f "$out/done" ] || { tail -n 20 "$out/console.log"; echo "capture failed"; exit 1; }
dest=${1:-$repo/tools/preemptstat/tests/fixtures/v2-live}
rm -rf "$dest"
cp -r "$out/v2-live" "$dest"
echo "fixtures in $dest:"
wc -l "$dest"/*
