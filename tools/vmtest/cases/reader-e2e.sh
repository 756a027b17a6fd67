# SPDX-License-Identifier: GPL-2.0
# The reader against the live module: report --json parses and matches the debugfs files
# (read with recording off, so nothing moves in between); Rust names are demangled;
# --fail-over-us 50000 exits 0 after a reset that follows loading and 1 after an injected
# 80 ms section, naming it; errors exit 2 with one line.
# timeout: 120
[ -x "$PS_READER" ] || die "reader $PS_READER not built"
ps_load wakeup=0
inject_load max_us=100000
ps_reset
inject "irq 1 2000 3"
echo 0 >"$PS_ROOT/enable"
"$PS_READER" report --json >/tmp/report.json || die "report --json failed"
python3 - "$PS_ROOT" /tmp/report.json <<'PY' || die "report --json does not match the debugfs files"
import json, sys
root, path = sys.argv[1], sys.argv[2]
doc = json.load(open(path))
assert doc["version"] == 1, doc["version"]
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
inj = [s for s in doc["sections"] if s["kind"] == "irq" and "preemptstat_inject::inject_irq+" in s["start"]]
assert len(inj) == 1 and inj[0]["count"] == 3, inj
assert inj[0]["start"].endswith(" [preemptstat_inject]"), inj[0]["start"]
print("report --json: %d sections, %d summary keys match" % (len(doc["sections"]), len(summary)))
PY
"$PS_READER" sites --filter inject_irq | grep -q 'preemptstat_inject::inject_irq+' ||
	die "sites does not show the demangled injector function"
echo 1 >"$PS_ROOT/enable"
# Loading patches kernel text with interrupts off for milliseconds under emulation: reset.
ps_reset
sleep 1
rc=0
"$PS_READER" --fail-over-us 50000 sites --limit 1 >/dev/null 2>/tmp/err || rc=$?
[ "$rc" -eq 0 ] || die "--fail-over-us 50000 exited $rc with no injected section: $(cat /tmp/err)"
inject "irq 1 80000 1"
rc=0
"$PS_READER" --fail-over-us 50000 sites --limit 1 >/dev/null 2>/tmp/err || rc=$?
info "after an 80 ms section: exit $rc, $(head -1 /tmp/err)"
assert_eq "$rc" 1 "--fail-over-us 50000 after an 80 ms section"
grep -q 'inject_irq' /tmp/err || die "the offender is not named: $(cat /tmp/err)"
# Errors: exit 2 and one line.
for args in "--root /nonexistent report" "--root /tmp report"; do
	rc=0
	"$PS_READER" $args >/dev/null 2>/tmp/err || rc=$?
	assert_eq "$rc" 2 "preemptstat $args"
	assert_eq "$(wc -l </tmp/err)" 1 "lines of error for $args"
done
