# SPDX-License-Identifier: GPL-2.0
# The reader against the live module: report --json parses and matches the debugfs files
# (read with recording off, so nothing moves in between); Rust names are demangled;
# --fail-over-us exits 0 below the longest section and 1 after an injected section 30 ms
# longer, naming it; errors exit 2 with one line.
# timeout: 120
[ -x "$PS_READER" ] || die "reader $PS_READER not built"
ps_load wakeup=0
inject_load max_us=200000
ps_reset
inject "irq 1 2000 3"
echo 0 >"$PS_ROOT/enable"
"$PS_READER" report --json >/tmp/report.json || die "report --json failed"
python3 - "$PS_ROOT" /tmp/report.json <<'PY' || die "report --json does not match the debugfs files"
import json, sys
root, path = sys.argv[1], sys.argv[2]
doc = json.load(open(path))
assert doc["version"] == 2, doc["version"]
summary = dict(l.split() for l in open(root + "/summary"))
for k, v in summary.items():
    assert doc["summary"][k] == int(v), (k, doc["summary"][k], v)
lines = [l.split() for l in open(root + "/sites") if not l.startswith("#")]
assert len(doc["sections"]) == len(lines), (len(doc["sections"]), len(lines))
by_key = {}
for l in lines:
    by_key.setdefault((l[0], int(l[1]), int(l[2]), int(l[3]), int(l[4])), 0)
    by_key[(l[0], int(l[1]), int(l[2]), int(l[3]), int(l[4]))] += 1
for s in doc["sections"]:
    k = (s["kind"], s["count"], s["total_ns"], s["min_ns"], s["max_ns"])
    assert by_key.get(k, 0) > 0, ("no sites line for", k)
    by_key[k] -= 1
inj = [s for s in doc["sections"] if s["kind"] == "irq" and "inject::inject_irq+" in s["start"]]
assert len(inj) == 1 and inj[0]["count"] == 3, inj
assert inj[0]["start"].endswith(" [preemptstat_inject]"), inj[0]["start"]
print("report --json: %d sections, %d summary keys match" % (len(doc["sections"]), len(summary)))
PY
"$PS_READER" sites --filter inject_irq | grep -q ' inject::inject_irq+\|^inject::inject_irq+' ||
	die "sites does not show the demangled injector function"
echo 1 >"$PS_ROOT/enable"
# Loading patches kernel text with interrupts off for milliseconds under emulation: reset. The
# kernel's own sections set the bar: on the debug kernel under TCG they reach tens of ms, so
# the threshold is 50 ms or 1 ms above the longest seen, with recording off while it is read.
ps_reset
sleep 1
echo 0 >"$PS_ROOT/enable"
bar_us=$(($(summary_value max_ns_any) / 1000 + 1000))
[ "$bar_us" -ge 50000 ] || bar_us=50000
[ "$bar_us" -le 150000 ] || die "the kernel's own sections reach $((bar_us / 1000)) ms: no room for an injected one"
rc=0
"$PS_READER" --fail-over-us "$bar_us" sites --limit 1 >/dev/null 2>/tmp/err || rc=$?
[ "$rc" -eq 0 ] || die "--fail-over-us $bar_us exited $rc with no injected section: $(cat /tmp/err)"
inject_us=$((bar_us + 30000))
echo 1 >"$PS_ROOT/enable"
inject "irq 1 $inject_us 1"
echo 0 >"$PS_ROOT/enable"
rc=0
"$PS_READER" --fail-over-us "$bar_us" sites --limit 1 >/dev/null 2>/tmp/err || rc=$?
info "threshold $bar_us us, after a $((inject_us / 1000)) ms section: exit $rc, $(head -1 /tmp/err)"
assert_eq "$rc" 1 "--fail-over-us $bar_us after a $((inject_us / 1000)) ms section"
grep -q 'inject_irq' /tmp/err || die "the offender is not named: $(cat /tmp/err)"
# Errors: exit 2 and one line.
for args in "--root /nonexistent report" "--root /tmp report"; do
	rc=0
	"$PS_READER" $args >/dev/null 2>/tmp/err || rc=$?
	assert_eq "$rc" 2 "preemptstat $args"
	assert_eq "$(wc -l </tmp/err)" 1 "lines of error for $args"
done
