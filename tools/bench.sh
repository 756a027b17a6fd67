#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# tools/bench.sh - what 'make bench' does after setup and the test kernel: overhead and accuracy
# of preemptstat against ftrace's own tracers, every configuration measured in ONE boot,
# alternating, medians reported. Prints a table, then as its last line:
#   bench: pair_ns_base=X pair_ns_floor=F pair_ns_preemptstat=Y pair_ns_preemptstat_noevents=E pair_ns_ftrace=Z macro_overhead_pct=W macro_overhead_pct_floor=T macro_overhead_pct_ftrace=U macro_overhead_pct_nobreakdown=N hardirq_ns_added=H hardirq_ns_added_nobreakdown=HN softirq_ns_added=S softirq_ns_added_nobreakdown=SN accuracy_max_err_pct=V
# See Documentation/benchmarks.rst.
#
# Usage: tools/bench.sh [FLAVOR]   (make bench FLAVOR=NAME; default standard: any test kernel of
# tools/kernel.sh)
# With PS_BENCH_ICOUNT=N (make bench ICOUNT=N), QEMU runs with -icount shift=N,sleep=off: the
# guest clock counts executed instructions (2^N ns each) instead of host time, so the host's
# load cannot move the figures (see Documentation/benchmarks.rst).

set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
# shellcheck source=tools/env.sh
. "$here/env.sh"
flavor=${1:-standard}
kdir=$("$here/kernel.sh" print-kdir "$flavor")
icount=${PS_BENCH_ICOUNT:-}
case $icount in
'' | [0-9] | 10) ;;
*) echo "bench: PS_BENCH_ICOUNT must be a shift from 0 to 10, not '$icount'"; exit 2 ;;
esac
out=$repo/out/bench
[ "$flavor" = standard ] || out=$repo/out/bench-$flavor
qemu_opts=$QEMU_TCG_OPTS
if [ -n "$icount" ]; then
	out=$out-icount$icount
	qemu_opts="$qemu_opts -icount shift=$icount,sleep=off"
fi
mkdir -p "$out"
rm -f "$out/bench.txt"
echo "$CARGO_TARGET_DIR/release" >"$out/bindir"

echo "bench: the $flavor test kernel (Linux $(flavor_series "$flavor")): $kdir"
echo "bench: building the module, the samples and the ping-pong load"
make -s -C "$kdir" M="$repo" LLVM=1 modules >"$out/build.log" 2>&1 ||
	{ tail -n 20 "$out/build.log"; echo "bench: FAILED: module build"; exit 1; }
# The same module without its trace events (PREEMPTSTAT_TRACE_EVENTS=0), built from a copy of
# its sources: what the events cost when nobody enabled them.
rm -rf "$out/noev"
mkdir -p "$out/noev"
cp "$repo/Kbuild" "$out/noev/"
rsync -a --exclude '*.o' --exclude '*.ko' --exclude '.*.cmd' --exclude '*.mod*' \
	"$repo/rust" "$out/noev/"
make -s -C "$kdir" M="$out/noev" LLVM=1 PREEMPTSTAT_TRACE_EVENTS=0 modules >>"$out/build.log" 2>&1 ||
	{ tail -n 20 "$out/build.log"; echo "bench: FAILED: module build without trace events"; exit 1; }
cargo build -q --release --manifest-path "$repo/tools/Cargo.toml" -p pingpong ||
	{ echo "bench: FAILED: pingpong build"; exit 1; }

echo "bench: one VM boot under TCG emulation (no KVM here): absolute figures are inflated;"
echo "bench: compare the configurations with each other, all measured in this boot"
[ -z "$icount" ] ||
	echo "bench: icount shift=$icount: guest time is instructions x $((1 << icount)) ns, not host time"
t0=$SECONDS
# See tools/vmtest/vmtest.sh for --disable-kvm and </dev/null.
timeout --kill-after=10 1500 \
	vng --run "$kdir" --disable-kvm --user root --cpus 2 --memory 1G --rwdir "$out" \
	--qemu-opts="$qemu_opts" \
	--exec "$here/vmtest/bench-guest.sh $out" </dev/null >"$out/console.log" 2>&1 || true
if ! grep -q '^done$' "$out/bench.txt" 2>/dev/null; then
	tail -n 20 "$out/console.log"
	echo "bench: FAILED: the VM did not finish (results: $out/bench.txt, console: $out/console.log)"
	exit 1
fi
echo "bench: VM run took $((SECONDS - t0)) s; raw results in $out/bench.txt"

awk '
function median(key,   n, i, j, t, a) {
	n = cnt[key]
	for (i = 1; i <= n; i++) a[i] = val[key, i]
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
	if (n == 0) return 0
	return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
# trip_us(CFG): microseconds per ping-pong round trip of CFG, from its median rate (0 without one).
function trip_us(c,   m) { m = median("mac " c); return m ? 1e6 / m : 0 }
# times(A, B): "A/B x", or why not when B is not above the base.
function times(a, b) { return b > 0 ? sprintf("%.1fx", a / b) : sprintf("n/a (the floor'"'"'s %d ns is not above the base)", b) }
function add(key, v) { cnt[key]++; val[key, cnt[key]] = v; if (!(key in lo) || v < lo[key]) lo[key] = v; if (!(key in hi) || v > hi[key]) hi[key] = v }
$1 == "clock" { clock = $2 }
$1 == "micro" { add("irq " $3, $4); add("pre " $3, $5); add("irqs " $3, $6); add("pres " $3, $7); add("hirq " $3, $8); add("sirq " $3, $9) }
$1 == "macro" && $4 > 0 { add("mac " $3, $4) }
$1 == "acc" && $4 ~ /^[0-9]+$/ && $5 ~ /^[0-9]+$/ && $5 > 0 {
	nacc++; am[nacc] = $2; au[nacc] = $3; ap[nacc] = $4; af[nacc] = $5
	e = ($4 - $5 * 1000) / ($5 * 1000) * 100; if (e < 0) e = -e; ae[nacc] = e; if (e > maxerr) maxerr = e
}
$1 == "acc" && !($4 ~ /^[0-9]+$/ && $5 ~ /^[0-9]+$/) { accfail = accfail " " $2 "/" $3 }
$1 == "mem" { mem[$2] = $3 }
$1 == "error" { nerr++; errs = errs "\n  " $0 }
END {
	printf "guest clocksource: %s (TCG%s; on real hardware use tsc, see Documentation/benchmarks.rst)\n\n", clock, (icount != "" ? ", icount shift=" icount ": virtual ns" : "")
	printf "micro: ns per pair, median of %d alternations (preemptstat_bench, 200000 pairs per series)\n", cnt["irq base"]
	printf "%-20s %10s %10s %14s %14s %10s %10s\n", "configuration", "irq pair", "preempt", "irq 64 sites", "preempt 64 s.", "hard IRQ", "softirq"
	split("base floor preemptstat preemptstat_nobd preemptstat_noev ftrace both preemptstat_wakeup", cfgs, " ")
	for (i = 1; i <= 8; i++) { c = cfgs[i]
		printf "%-20s %10d %10d %14d %14d %10d %10d\n", c, median("irq " c), median("pre " c), median("irqs " c), median("pres " c), median("hirq " c), median("sirq " c) }
	X = median("irq base"); F = median("irq floor"); Y = median("irq preemptstat"); Z = median("irq ftrace")
	printf "\nadded cost per irq pair: preemptstat %d ns, ftrace preemptirqsoff %d ns, ratio %.2f (goal <= 0.5)\n", Y - X, Z - X, (Z - X) ? (Y - X) / (Z - X) : 0
	Xp = median("pre base"); Fp = median("pre floor"); Yp = median("pre preemptstat"); Zp = median("pre ftrace")
	printf "added cost per preempt pair: preemptstat %d ns, ftrace %d ns, ratio %.2f\n", Yp - Xp, Zp - Xp, (Zp - Xp) ? (Yp - Xp) / (Zp - Xp) : 0
	printf "floor (empty probes on the same tracepoints): added cost per irq pair %d ns, per preempt pair %d ns\n", F - X, Fp - Xp
	printf "preemptstat against the floor'"'"'s added cost: irq pair %s, preempt pair %s\n", times(Y - X, F - X), times(Yp - Xp, Fp - Xp)
	printf "preemptstat above the floor: irq pair +%d ns, preempt pair +%d ns (its own probe bodies)\n", Y - F, Yp - Fp
	Hb = median("hirq base"); Hy = median("hirq preemptstat"); Hn = median("hirq preemptstat_nobd"); Hf = median("hirq floor")
	Sb = median("sirq base"); Sy = median("sirq preemptstat"); Sn = median("sirq preemptstat_nobd"); Sf = median("sirq floor")
	printf "breakdown probes: per hard IRQ (irq_work self-IPI) preemptstat adds %d ns with them, %d ns without (breakdown=0), the floor %d ns; per softirq (tasklet) %d ns, %d ns, %d ns\n", Hy - Hb, Hn - Hb, Hf - Hb, Sy - Sb, Sn - Sb, Sf - Sb
	N = median("irq preemptstat_noev"); Np = median("pre preemptstat_noev")
	printf "trace events built in but off: irq pair %d ns, %d ns without them (%+d ns); preempt pair %d ns, %d ns without (%+d ns)\n\n", Y, N, Y - N, Yp, Np, Yp - Np
	printf "macro: pipe ping-pong round trips per second, median (min..max) of %d alternations\n", cnt["mac base"]
	split("base floor preemptstat preemptstat_nobd ftrace", mc, " ")
	for (i = 1; i <= 5; i++) { c = mc[i]; printf "%-20s %10d   (%d..%d)\n", c, median("mac " c), lo["mac " c], hi["mac " c] }
	B = median("mac base"); W = B ? (B - median("mac preemptstat")) / B * 100 : 0; U = B ? (B - median("mac ftrace")) / B * 100 : 0
	T = B ? (B - median("mac floor")) / B * 100 : 0
	printf "overhead: floor %.1f %%, preemptstat %.1f %%, ftrace %.1f %%, ratio %.2f (goal <= 0.5)\n", T, W, U, U ? W / U : 0
	rt_b = trip_us("base")
	printf "added per round trip: floor %.1f us, preemptstat %.1f us, ftrace %.1f us\n", trip_us("floor") - rt_b, trip_us("preemptstat") - rt_b, trip_us("ftrace") - rt_b
	Nb = median("mac preemptstat_nobd"); Wn = B ? (B - Nb) / B * 100 : 0
	printf "the breakdown probes (sched_switch, IRQ, softirq, hrtimer, vectors; wakeup probe off): preemptstat %.1f us per round trip with them, %.1f us without (breakdown=0); overhead %.1f %% against %.1f %%\n\n", trip_us("preemptstat") - rt_b, trip_us("preemptstat_nobd") - rt_b, W, Wn
	printf "accuracy: the same injected section read by preemptstat and by ftrace in this boot\n"
	printf "%-22s %8s %16s %12s %8s\n", "mode", "inj us", "preemptstat ns", "ftrace us", "err %"
	for (i = 1; i <= nacc; i++) printf "%-22s %8d %16d %12d %8.2f\n", am[i], au[i], ap[i], af[i], ae[i]
	if (accfail != "") printf "not measured (ftrace never kept the section):%s\n", accfail
	printf "\nmemory: %d bytes at the defaults, %d bytes at the largest tables (2 CPUs)\n\n", mem["default"], mem["max"]
	if (nerr) { printf "bench: FAILED: %d step(s) of the run failed, so some rows measured something else:%s\n", nerr, errs; exit 1 }
	printf "bench: pair_ns_base=%d pair_ns_floor=%d pair_ns_preemptstat=%d pair_ns_preemptstat_noevents=%d pair_ns_ftrace=%d macro_overhead_pct=%.1f macro_overhead_pct_floor=%.1f macro_overhead_pct_ftrace=%.1f macro_overhead_pct_nobreakdown=%.1f hardirq_ns_added=%d hardirq_ns_added_nobreakdown=%d softirq_ns_added=%d softirq_ns_added_nobreakdown=%d accuracy_max_err_pct=%.2f\n", X, F, Y, N, Z, W, T, U, Wn, Hy - Hb, Hn - Hb, Sy - Sb, Sn - Sb, maxerr
}' icount="$icount" "$out/bench.txt"
