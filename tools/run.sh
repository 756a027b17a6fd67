#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tools/run.sh - what 'make run' does after setup and the test kernel: build the module and the
# reader, boot the test kernel in a VM, load preemptstat, run a short load, print the report.

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
# shellcheck source=tools/env.sh
. "$here/env.sh"

flavor=${1:-standard}
kdir=$("$here/kernel.sh" print-kdir "$flavor")
out=$repo/out/run
[ "$flavor" = standard ] || out=$repo/out/run-$flavor
mkdir -p "$out"

echo "run: building preemptstat.ko against $kdir"
make -s -C "$kdir" M="$repo" LLVM=1 modules >"$out/build.log" 2>&1 ||
	{ tail -n 30 "$out/build.log"; echo "run: FAILED: module build (log: $out/build.log)"; exit 1; }
echo "run: building the reader"
cargo build -q --release --manifest-path "$repo/tools/Cargo.toml" ||
	{ echo "run: FAILED: reader build"; exit 1; }

echo "$CARGO_TARGET_DIR/release" >"$out/bindir"
echo "run: booting the test kernel (TCG: no KVM on this machine; about 10 s)"
# See tools/vmtest/vmtest.sh for why --disable-kvm and </dev/null.
timeout --kill-after=10 300 \
	vng --run "$kdir" --disable-kvm --user root --cpus 2 --memory 1G --rwdir "$out" \
	--qemu-opts="$QEMU_TCG_OPTS" \
	--exec "$here/run-guest.sh $out" </dev/null >"$out/console.log" 2>&1 || true
if [ ! -f "$out/report.txt" ]; then
	tail -n 30 "$out/console.log"
	echo "run: FAILED: the VM did not produce a report (console: $out/console.log)"
	exit 1
fi
cat "$out/report.txt"
