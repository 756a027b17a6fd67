# SPDX-License-Identifier: GPL-2.0
# export --output --interval against the live module, scraped by Debian's node_exporter:
# promtool check metrics exits 0 and prints nothing on the file; node_exporter (started here on
# 127.0.0.1 with the textfile collector only, and stopped here) serves every preemptstat family
# with node_textfile_scrape_error 0 and the values report --json shows once recording and the
# probe are off; every write is a new file renamed over the old one; after rmmod the file and
# the scrape have preemptstat_up 0 and nothing else, after insmod preemptstat_up 1 again;
# SIGTERM ends the exporter with exit 0.
# timeout: 240
[ -x "$PS_READER" ] || die "reader $PS_READER not built"
for tool in promtool prometheus-node-exporter curl python3; do
	command -v "$tool" >/dev/null || die "$tool not found (tools/setup.sh installs it)"
done
ip link set lo up 2>/dev/null || true

dir=$(mktemp -d /tmp/prom.XXXXXX)
file=$dir/preemptstat.prom
exporter=
node=
# Whatever happens, neither process outlives the case.
trap 'kill $exporter $node 2>/dev/null || true' EXIT

ps_load
inject_load max_us=200000
ps_reset
inject "irq 1 2000 3"
inject "preempt 0 3000 2 20000"
sleep 1
echo 0 >"$PS_ROOT/enable"
echo 0 >"$PS_ROOT/wakeup_enable"
sleep 0.5

"$PS_READER" export --format prometheus --output "$file" --interval 1 2>"$dir/exporter.err" &
exporter=$!

# wait_for WHAT TEST: poll (30 s at most) until TEST (a shell condition) holds.
wait_for() {
	local what=$1 i
	for i in $(seq 300); do
		eval "$2" && return 0
		sleep 0.1
	done
	die "$what: not within 30 s"
}
wait_for "the first export" '[ -s "$file" ]'
"$PS_READER" report --json >"$dir/report.json" || die "report --json failed"

rc=0
lint=$(promtool check metrics <"$file" 2>&1) || rc=$?
info "promtool check metrics: exit $rc, ${#lint} bytes of output${lint:+: $lint}"
assert_eq "$rc" 0 "promtool check metrics exit status"
assert_eq "$lint" "" "promtool check metrics output"

# Every write replaces the file by a rename: a new inode each time, and no other *.prom.
ino=$(stat -c %i "$file")
wait_for "a second export (new inode)" '[ "$(stat -c %i "$file")" != "$ino" ]'
others=$(find "$dir" -name '*.prom' ! -name preemptstat.prom)
assert_eq "$others" "" "other .prom files beside the export"

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
prometheus-node-exporter --web.listen-address="127.0.0.1:$port" --collector.disable-defaults \
	--collector.textfile --collector.textfile.directory="$dir" >"$dir/node.log" 2>&1 &
node=$!
url=http://127.0.0.1:$port/metrics
wait_for "node_exporter on 127.0.0.1:$port" 'curl -sf "$url" -o "$dir/metrics" 2>/dev/null'
info "node_exporter $(prometheus-node-exporter --version 2>&1 | head -1 | awk '{print $3}') on 127.0.0.1:$port"

python3 - "$dir/metrics" "$dir/report.json" <<'PY' || die "node_exporter's preemptstat series differ from report --json"
import json, re, sys

metrics_path, report_path = sys.argv[1], sys.argv[2]
doc = json.load(open(report_path))
line_re = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$')
label_re = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')
series = {}
for line in open(metrics_path):
    if line.startswith("#"):
        continue
    m = line_re.match(line.strip())
    assert m, line
    labels = dict(label_re.findall(m.group(3) or ""))
    series[(m.group(1), tuple(sorted(labels.items())))] = float(m.group(4))

def get(name, **labels):
    key = (name, tuple(sorted((k, str(v)) for k, v in labels.items())))
    assert key in series, ("missing", key)
    return series.pop(key)

def ns(name, **labels):
    return round(get(name, **labels) * 1e9)

def le_key(labels):
    return "+Inf" if labels["le"] == "+Inf" else round(float(labels["le"]) * 1e9)

def buckets(name, **fixed):
    # {le in ns (or "+Inf"): value} of one histogram, removed from series.
    out = {}
    for key in [k for k in series if k[0] == name + "_bucket"]:
        labels = dict(key[1])
        if all(labels.get(k) == str(v) for k, v in fixed.items()):
            out[le_key(labels)] = series.pop(key)
    return out

assert get("node_textfile_scrape_error") == 0
assert get("preemptstat_up") == 1
s = doc["summary"]
checked = 0
for kind in ("preempt", "irq", "any"):
    assert get("preemptstat_sections_seen_total", kind=kind) == s["seen_" + kind]
    assert get("preemptstat_sections_dropped_total", kind=kind) == s["dropped_" + kind]
    assert ns("preemptstat_section_max_seconds", kind=kind) == s["max_ns_" + kind]
    sites = [x for x in doc["sections"] if x["kind"] == kind]
    counts = [0] * 32
    for x in sites:
        for b, n in x["hist"]:
            counts[b] += n
    got = buckets("preemptstat_section_duration_seconds", kind=kind)
    want, cum = {}, 0
    for b in range(32):
        cum += counts[b]
        want["+Inf" if b == 31 else (1 << b) * 1000 - 1] = cum
    assert got == want, (kind, got, want)
    assert ns("preemptstat_section_duration_seconds_sum", kind=kind) == sum(x["total_ns"] for x in sites)
    assert get("preemptstat_section_duration_seconds_count", kind=kind) == cum
    checked += 1
    # The site gauges: each exported function's max and count, from its sites.
    agg = {}
    for x in sites:
        m = re.match(r'^(.*?)(?:\+0x[0-9a-f]+/0x[0-9a-f]+)?(?: \[(\S+)\])?$', x["start"])
        f = agg.setdefault((m.group(1), m.group(2) or ""), [0, 0])
        f[0] = max(f[0], x["max_ns"])
        f[1] += x["count"]
    exported = [k for k in series if k[0] == "preemptstat_site_max_seconds" and dict(k[1])["kind"] == kind]
    assert len(exported) == min(10, len(agg)), (kind, len(exported), len(agg))
    for key in exported:
        labels = dict(key[1])
        fmax, fcount = agg[(labels["function"], labels["module"])]
        assert round(series.pop(key) * 1e9) == fmax, labels
        assert get("preemptstat_site_sections", **labels) == fcount, labels
w = doc["wakeup"]["cpus"]
assert w, "no CPU in report --json's wakeup"
for lat in ("irq", "thread"):
    hist = {}
    for c in w:
        l = c[lat]
        assert get("preemptstat_wakeups_total", cpu=c["cpu"], latency=lat) == l["count"]
        assert ns("preemptstat_wakeup_latency_max_seconds", cpu=c["cpu"], latency=lat) == l["max_ns"]
        assert ns("preemptstat_wakeup_latency_avg_seconds", cpu=c["cpu"], latency=lat) == l["avg_ns"]
        for lo, hi, n in c["hist"][lat]:
            hist[hi] = hist.get(hi, 0) + n
    got = buckets("preemptstat_wakeup_latency_seconds", latency=lat)
    want = {}
    for i in range(25):
        want[(1 << i) * 1000 - 1] = sum(n for hi, n in hist.items() if hi is not None and hi <= 1 << i)
    total = sum(hist.values())
    want["+Inf"] = total
    assert got == want, (lat, got, want)
    assert get("preemptstat_wakeup_latency_seconds_count", latency=lat) == total
    assert ns("preemptstat_wakeup_latency_seconds_sum", latency=lat) == sum(c[lat]["avg_ns"] * c[lat]["count"] for c in w)
    assert total == sum(c[lat]["count"] for c in w), (lat, total)
for c in w:
    assert get("preemptstat_wakeup_missed_total", cpu=c["cpu"]) == c["missed"]
    assert get("preemptstat_wakeup_spikes_total", cpu=c["cpu"]) == c["spikes"]
    for cause, t in c["causes"].items():
        assert ns("preemptstat_wakeup_cause_seconds_total", cpu=c["cpu"], cause=cause) == t["total_ns"]
        assert get("preemptstat_wakeup_cause_spikes_total", cpu=c["cpu"], cause=cause) == t["spikes"]
        assert get("preemptstat_wakeup_cause_dominant_total", cpu=c["cpu"], cause=cause) == t["dominant"]
assert get("preemptstat_wakeup_breakdown_dropped_total") == s["breakdown_dropped"]
left = sorted(k for k in series if k[0].startswith("preemptstat_"))
assert not left, ("preemptstat series report --json does not account for", left[:5])
spikes = sum(c["spikes"] for c in w)
wakeups = sum(c["thread"]["count"] for c in w)
print("node_exporter: preemptstat_up 1, node_textfile_scrape_error 0; every preemptstat series"
      " matches report --json (%d CPUs, %d wakeups, %d spikes, %d any sections)"
      % (len(w), wakeups, spikes, s["seen_any"]))
PY

# For the record: what was compared.
cp "$file" "$PS_OUT/preemptstat.prom" && cp "$dir/metrics" "$PS_OUT/node-exporter-metrics.txt" ||
	die "cannot copy the export to $PS_OUT"

# The module goes away: preemptstat_up 0 alone, in the file and in the scrape.
ps_unload
wait_for "preemptstat_up 0 after rmmod" 'grep -qx "preemptstat_up 0" "$file"'
assert_eq "$(grep -c '^preemptstat_' "$file")" 1 "preemptstat samples in the file after rmmod"
wait_for "node_exporter serving preemptstat_up 0" \
	'curl -sf "$url" -o "$dir/metrics" && grep -qx "preemptstat_up 0" "$dir/metrics"'
grep -qx 'node_textfile_scrape_error 0' "$dir/metrics" || die "scrape error after rmmod: $(grep textfile "$dir/metrics")"
assert_eq "$(grep -c '^preemptstat_' "$dir/metrics")" 1 "preemptstat samples served after rmmod"
info "after rmmod: preemptstat_up 0 alone, in the file and from node_exporter"

ps_load
wait_for "preemptstat_up 1 after insmod" 'grep -qx "preemptstat_up 1" "$file"'
wait_for "node_exporter serving preemptstat_up 1" \
	'curl -sf "$url" -o "$dir/metrics" && grep -qx "preemptstat_up 1" "$dir/metrics"'
rc=0
lint=$(promtool check metrics <"$file" 2>&1) || rc=$?
assert_eq "$rc:$lint" "0:" "promtool check metrics after insmod"

kill -TERM "$exporter"
rc=0
wait "$exporter" || rc=$?
exporter=
assert_eq "$rc" 0 "exporter exit status after SIGTERM"
info "exporter: exit $rc after SIGTERM; its stderr:"
sed 's/^/  /' "$dir/exporter.err"
assert_eq "$(wc -l <"$dir/exporter.err")" 2 "exporter stderr lines (down, then back)"
kill -TERM "$node"
wait "$node" 2>/dev/null || true
node=
ls -a "$dir" | grep -v '^\.\.\?$' | grep -qv -e '^preemptstat.prom$' -e '^exporter.err$' -e '^node.log$' -e '^metrics$' -e '^report.json$' &&
	die "left in $dir: $(ls -a "$dir")"
rm -rf "$dir"
