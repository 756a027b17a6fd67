#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tools/vmtest/vmtest.sh - run VM test cases in one virtme-ng guest of the test kernel.
#
# Usage: tools/vmtest/vmtest.sh KDIR OUTDIR CASE...
#   KDIR    kernel build tree (make -s print-kdir)
#   OUTDIR  host directory for results (made if missing; the guest writes into it)
#   CASE    case files (tools/vmtest/cases/*.sh), run in this order in the same boot
#
# Environment:
#   PS_VM_MEMORY      guest memory (default 1G; the debug kernel's KASAN shadow wants more)
#   PS_TIMEOUT_SCALE  multiplies every case's "# timeout:" (default 1; a debug kernel under
#                     TCG is several times slower)
#   PS_VM_QEMU_OPTS   more QEMU options, appended to $QEMU_TCG_OPTS (tools/env.sh)
#   PS_VM_APPEND      more kernel command line parameters (vng --append), for example
#                     kmemleak=off (tools/check.sh)
#   PS_VM_BOOT_LIMIT  seconds a boot may take until the guest runner starts (default 300);
#                     a boot that takes longer is killed and the VM booted once more
#   PS_RTLA           the rtla binary the cases compare with (default: the one tools/rtla.sh
#                     cached for KDIR's series; a case that needs rtla fails if there is none)
#   PS_INSTALL_DIR    what the install-* cases load: a 'make install' DESTDIR in destdir/ and a
#                     dkms tree in dkms/tree/ (default: out/check/install, where tools/check.sh's
#                     install and dkms stages leave them for KDIR)
#
# Prints KTAP-style "ok N name" / "not ok N name" lines, then "N passed, N failed". Exits 0 only
# if every case passed. A VM that does not boot, a guest that dies or hangs, or a missing tool
# fails the run with the reason: nothing is ever skipped silently.

set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tools/env.sh
. "$here/../env.sh"

kdir=${1:?usage: vmtest.sh KDIR OUTDIR CASE...}
out=${2:?usage: vmtest.sh KDIR OUTDIR CASE...}
shift 2
cases=("$@")

fail_run() {
	echo "not ok 1 vm - $*"
	echo "0 passed, $((${#cases[@]} > 0 ? ${#cases[@]} : 1)) failed"
	exit 1
}

[ "${#cases[@]}" -gt 0 ] || fail_run "no test cases given"
for tool in vng qemu-system-x86_64 busybox; do
	command -v "$tool" >/dev/null || fail_run "$tool not found: run 'make setup'"
done
[ -f "$kdir/arch/x86/boot/bzImage" ] || fail_run "no kernel image in $kdir: run 'make kernel'"

memory=${PS_VM_MEMORY:-1G}
scale=${PS_TIMEOUT_SCALE:-1}
[[ "$scale" =~ ^[1-9][0-9]*$ ]] || fail_run "PS_TIMEOUT_SCALE must be a whole number >= 1, not '$scale'"

boot_limit=${PS_VM_BOOT_LIMIT:-300}
[[ "$boot_limit" =~ ^[1-9][0-9]*$ ]] || fail_run "PS_VM_BOOT_LIMIT must be a whole number of seconds >= 1, not '$boot_limit'"

mkdir -p "$out"
out=$(cd "$out" && pwd)
# The case list goes through a file: vng passes --exec on the kernel command line, which
# holds only 2048 bytes on x86.
echo "$CARGO_TARGET_DIR/release" >"$out/bindir"
echo "$scale" >"$out/timeout_scale"
# rtla goes with the kernel's series (its tracefs options change between series).
if [ -z "${PS_RTLA:-}" ]; then
	series=$(make -s -C "$kdir" kernelversion 2>/dev/null | cut -d. -f1,2)
	PS_RTLA=$("$here/../rtla.sh" print-path "$series" 2>/dev/null) || PS_RTLA=
fi
echo "$PS_RTLA" >"$out/rtla"
echo "${PS_INSTALL_DIR:-$(cd "$here/../.." && pwd)/out/check/install}" >"$out/install"
cases_file=$out/cases.list
: >"$cases_file"
for c in "${cases[@]}"; do
	[ -f "$c" ] || fail_run "no case file $c"
	realpath "$c" >>"$cases_file"
done

# The guest budget: the sum of the cases' timeouts plus boot time. The whole VM is killed when
# it runs out, and every case without a result is reported as failed.
budget=60
for c in "${cases[@]}"; do
	t=$(sed -n 's/^# timeout: *\([0-9]*\).*/\1/p' "$c" | head -n 1)
	budget=$((budget + ${t:-60} * scale + 10))
done

# --disable-kvm: KVM does not work on the machines this project is tested on (QEMU aborts on
# MSR 0x10a with -cpu host and other CPU models hang in early boot), so the guest runs under
# TCG. Absolute latencies are inflated by emulation: tests compare figures of the same boot.
# vng reads standard input and crashes when it is closed (CI has none): feed it /dev/null.
# QEMU_TCG_OPTS (tools/env.sh) runs both vCPUs in one host thread: see there why.
qemu_opts="$QEMU_TCG_OPTS${PS_VM_QEMU_OPTS:+ $PS_VM_QEMU_OPTS}"
append=()
[ -z "${PS_VM_APPEND:-}" ] || append=(--append "$PS_VM_APPEND")

# boot_vm: one boot, all cases. Returns vng's exit status, or 200 if the guest runner had not
# started (no results.tap) PS_VM_BOOT_LIMIT seconds after the start: the VM is then killed.
boot_vm() {
	local pid t=$SECONDS
	rm -f "$out/results.tap" "$out/dmesg.txt" "$out/guest-done"
	timeout --kill-after=10 "$budget" \
		vng --run "$kdir" --verbose --disable-kvm --user root --cpus 2 --memory "$memory" \
		--qemu-opts="$qemu_opts" "${append[@]}" \
		--rwdir "$out" --exec "$here/guest.sh $out" \
		</dev/null >"$out/console.log" 2>&1 &
	pid=$!
	while [ ! -f "$out/results.tap" ] && kill -0 "$pid" 2>/dev/null; do
		if [ $((SECONDS - t)) -ge "$boot_limit" ]; then
			# timeout passes the signal on to its process group: vng and QEMU.
			kill -TERM "$pid"
			wait "$pid"
			return 200
		fi
		sleep 1
	done
	wait "$pid"
}

# A guest that never starts is booted once more, and says so. Under TCG a kernel now and then
# hangs bringing up its second CPU (the console stops at "x86: Booting SMP configuration:",
# QEMU spinning at 100%): before any module or case has run, so nothing under test is hidden
# by a second boot. A debug kernel boots in about 90 s beside another VM; a hung boot used to
# cost the whole budget (over an hour for a reliability lane).
t0=$SECONDS
for attempt in 1 2; do
	boot_vm
	rc=$?
	[ "$rc" -eq 200 ] || break
	echo "# boot $attempt: the guest did not start within $boot_limit s; console ends with:"
	tail -n 3 "$out/console.log" | sed 's/^/#   /'
	cp "$out/console.log" "$out/console-hung-$attempt.log"
done
elapsed=$((SECONDS - t0))

if [ ! -f "$out/guest-done" ]; then
	if [ "$rc" -eq 200 ]; then
		why="the guest did not start within $boot_limit s in either of two boots"
	elif [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		why="the VM did not finish within ${budget} s"
	elif [ ! -f "$out/results.tap" ]; then
		why="the VM did not boot or the guest runner did not start (vng exit $rc)"
	else
		why="the guest stopped before all cases ran (vng exit $rc)"
	fi
	echo "# $why; console output (last 30 lines of $out/console.log):"
	tail -n 30 "$out/console.log" | sed 's/^/# /'
fi

# Report every case: its result if the guest wrote one, a failure otherwise.
passed=0
failed=0
n=0
for c in "${cases[@]}"; do
	n=$((n + 1))
	name=$(basename "$c" .sh)
	line=$(grep -E "^(ok|not ok) [0-9]+ $name( |$)" "$out/results.tap" 2>/dev/null | head -n 1)
	# Diagnostics the guest wrote for this case.
	sed -n "/^# BEGIN $name\$/,/^# END $name\$/p" "$out/results.tap" 2>/dev/null |
		grep -v -E "^# (BEGIN|END) " || true
	if [[ "$line" == ok* ]]; then
		echo "ok $n $name"
		passed=$((passed + 1))
	else
		echo "not ok $n $name${line:+ - ${line#* - }}"
		[ -n "$line" ] || echo "# no result: ${why:-the guest did not report this case}"
		failed=$((failed + 1))
	fi
done
echo "# vm: ${#cases[@]} cases in ${elapsed} s; logs in $out"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
