# SPDX-License-Identifier: GPL-2.0
#
# tools/vmtest/lib.sh - helpers for VM test cases (sourced by guest.sh before each case).
# A case is a bash script: it fails by exiting non-zero (die) and passes by reaching its end.

set -eu

# die MESSAGE: fail the case with one line saying why.
die() {
	echo "FAIL: $*"
	exit 1
}

# info MESSAGE: a diagnostic line in the case's output.
info() {
	echo "$*"
}

# module_loaded NAME: true if NAME is in /proc/modules. Shell builtins only: under TCG every
# exec costs a large fraction of a second (binaries come over the guest's 9p root), and the
# stress cases call this in loops.
module_loaded() {
	local m _
	while read -r m _; do
		[ "$m" = "$1" ] && return 0
	done </proc/modules
	return 1
}

ps_loaded() {
	module_loaded preemptstat
}

# count_threads PREFIX: how many tasks' names start with PREFIX (builtins only, as above).
count_threads() {
	local f comm n=0
	for f in /proc/[0-9]*/comm; do
		{ read -r comm <"$f"; } 2>/dev/null || continue
		[[ "$comm" == "$1"* ]] && n=$((n + 1))
	done
	echo "$n"
}

# read_file FILE: read FILE whole with the shell's own read (no exec); fails if it cannot.
read_file() {
	local _content
	[ -r "$1" ] || return 1
	IFS= read -r -d '' _content <"$1" || [ -n "$_content" ]
}

# ps_load [PARAM=VALUE...]: load preemptstat.ko with parameters.
ps_load() {
	[ -f "$PS_KO" ] || die "$PS_KO not built"
	insmod "$PS_KO" "$@" || die "insmod preemptstat.ko $* failed"
	ps_loaded || die "preemptstat not in /proc/modules after insmod"
}

ps_unload() {
	rmmod preemptstat || die "rmmod preemptstat failed"
	! ps_loaded || die "preemptstat still loaded after rmmod"
}

# assert_eq ACTUAL EXPECTED WHAT
assert_eq() {
	[ "$1" = "$2" ] || die "$3: got '$1', expected '$2'"
}

# write_once FILE VALUE: VALUE in exactly one write(2) (the shell's printf may split it).
write_once() {
	printf '%s' "$2" | dd of="$1" bs=4096 count=1 iflag=fullblock status=none 2>/dev/null
}

# assert_file_eq FILE EXPECTED
assert_file_eq() {
	local got
	got=$(cat "$1") || die "cannot read $1"
	[ "$got" = "$2" ] || die "$1: got '$got', expected '$2'"
}

# load_for SECONDS: a bounded mixed load (pipes, context switches, syscalls, small file system
# walks) on all CPUs for about SECONDS seconds; each step is short, so it stops on time.
load_for() {
	local end=$((SECONDS + $1)) cpu
	for cpu in $(seq 0 $(($(nproc) - 1))); do
		(
			while [ $SECONDS -lt $end ]; do
				dd if=/dev/zero bs=4k count=200 2>/dev/null | cat >/dev/null
				ls /usr/bin /proc/self >/dev/null
				cat /proc/stat /proc/interrupts >/dev/null
			done
		) &
	done
	wait
}

# load_start SECONDS: load_for in the background, plus a timer load (short sleeps: hrtimer
# expiries and wakeups); load_stop ends both. Nothing outlives the case: guest.sh's timeout
# kills the case's process group.
load_start() {
	load_for "$1" &
	LOAD_PID=$!
	(
		end=$((SECONDS + $1))
		while [ $SECONDS -lt $end ]; do sleep 0.002; done
	) &
	TIMER_PID=$!
}

load_stop() {
	local p
	for p in ${LOAD_PID:-} ${TIMER_PID:-}; do
		pkill -P "$p" 2>/dev/null || true
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	LOAD_PID="" TIMER_PID=""
}

# busy_start CPU: a nice 19 busy loop on CPU for the rest of the case (guest.sh's timeout kills
# it with the case), so that the CPU is never idle: under TCG an idle vCPU sometimes wakes tens
# of ms late, which a wakeup would be blamed on, and the FIFO probe threads preempt the loop at
# once.
busy_start() {
	taskset -c "$1" nice -n 19 sh -c 'while :; do :; done' &
}

# ahead_of_load: the case's shell, and what it starts from now on, at nice -10; call it after
# load_start and inject_loop_start. The load still fills every CPU whenever the case waits
# (insmod, rmmod, hotplug, sleeps), but the case's own steps no longer queue behind it: on the
# debug kernel under TCG a load/unload cycle took 27 to 43 s behind the load and 5 s ahead of
# it, with the same probes firing throughout.
ahead_of_load() {
	renice -n -10 -p $$ >/dev/null || die "renice -n -10 of the case's shell failed"
}

# kernel_is_rt: true on a PREEMPT_RT kernel.
kernel_is_rt() {
	uname -v | grep -q PREEMPT_RT
}

# kernel_has_lockdep: true on a kernel with lockdep (the debug kernel).
kernel_has_lockdep() {
	[ -e /proc/lockdep ]
}

# The report files (read-only) and the control files (writable) of debugfs format 2.
export PS_REPORT_FILES="version summary sites worst log hist wakeup wakeup_hist spikes spikes_worst spike_parts causes"
export PS_CONTROL_FILES="enable reset threshold_us wakeup_enable period_us wakeup_threshold_us"

# --- Section tracer helpers -------------------------------------------------------------------

export PS_INJECT_KO=$PS_REPO/samples/preemptstat_inject.ko
export PS_INJECT=/sys/kernel/debug/preemptstat_inject/inject
export TRACEFS=/sys/kernel/tracing

inject_load() {
	[ -f "$PS_INJECT_KO" ] || die "$PS_INJECT_KO not built"
	insmod "$PS_INJECT_KO" "$@" || die "insmod preemptstat_inject.ko failed"
}

# inject "MODE CPU US [COUNT [GAP_US [traceoff]]]": one injector command, which must succeed.
inject() {
	echo "$1" >"$PS_INJECT" || die "injector rejected '$1'"
}

# inject_loop_start SPEC...: the injector commands SPEC (as for inject) over and over in the
# background until inject_loop_stop; a command the injector rejects ends the loop, and
# inject_loop_stop then fails the case.
inject_loop_start() {
	(
		while :; do
			for spec in "$@"; do
				echo "$spec" >"$PS_INJECT" || { echo "injector rejected '$spec'"; exit 1; }
			done
		done
	) &
	INJECT_PID=$!
}

inject_loop_stop() {
	kill -0 "$INJECT_PID" 2>/dev/null || { wait "$INJECT_PID"; die "the injection loop ended early"; }
	kill "$INJECT_PID" 2>/dev/null || true
	wait "$INJECT_PID" 2>/dev/null || true
}

ps_reset() {
	echo 1 >"$PS_ROOT/reset" || die "reset failed"
}

# In the sites file the start site is column SITE_START (after kind count total_ns min_ns
# max_ns contexts max_cpu max_pid max_comm max_end_ns hist spikes spike_max_ns); the end site is
# the next column, or the one after if the start has a "[module]" column.
export SITE_START=14

# sites_awk PROGRAM: awk over the sites records with `start` and `end` set to the two sites.
sites_awk() {
	awk -v s="$SITE_START" "!/^#/ { start = \$s; end = (\$(s + 1) ~ /^\\[/) ? \$(s + 2) : \$(s + 1) } !/^#/ { $1 }" "$PS_ROOT/sites"
}

# site_field KIND FUNC COLUMN: a column of the sites line of KIND whose start site is in
# function FUNC (a name part, e.g. inject_irq+); columns as in the sites header (1 = kind).
# Prints nothing if there is no such line.
site_field() {
	sites_awk "if (\$1 == \"$1\" && index(start, \"$2\") && !done) { print \$$3; done = 1 }"
}

# site_count KIND FUNC: how many sites lines of KIND start in FUNC.
site_count() {
	sites_awk "if (\$1 == \"$1\" && index(start, \"$2\")) n++ } END { print n + 0"
}

# site_line KIND FUNC: the whole sites line (for diagnostics).
site_line() {
	sites_awk "if (\$1 == \"$1\" && index(start, \"$2\") && !done) { print; done = 1 }"
}

# summary_value KEY
summary_value() {
	awk -v k="$1" '$1 == k { print $2; exit }' "$PS_ROOT/summary"
}

# ftrace_arm TRACER THRESH_US: a latency tracer on CPU 1 only, keeping the latest section at
# least THRESH_US long, with function tracing off.
ftrace_arm() {
	mountpoint -q "$TRACEFS" || mount -t tracefs nodev "$TRACEFS"
	echo 0 >"$TRACEFS/tracing_on"
	echo nop >"$TRACEFS/current_tracer"
	echo 2 >"$TRACEFS/tracing_cpumask"
	echo "$2" >"$TRACEFS/tracing_thresh"
	echo "$1" >"$TRACEFS/current_tracer" || die "no ftrace tracer $1"
	echo 0 >"$TRACEFS/options/function-trace"
	echo 0 >"$TRACEFS/tracing_max_latency"
	echo 1 >"$TRACEFS/tracing_on"
}

ftrace_disarm() {
	echo 0 >"$TRACEFS/tracing_on"
	echo nop >"$TRACEFS/current_tracer"
	echo 0 >"$TRACEFS/tracing_thresh"
	echo 3 >"$TRACEFS/tracing_cpumask"
}

# accuracy MODE KIND TRACER FUNC US: injects one US-long section on CPU 1 with ftrace's TRACER
# armed just below US, until ftrace's latest section is the injector's. ftrace keeps only the
# latest section over its threshold, and under TCG the tick, idle entry and the injector's own
# return to sleep on CPU 1 take more than 95 us too and replace it (or its snapshot swap
# fails and the trace has no header): up to 30 tries of about half a second. Then it checks
# preemptstat's KIND site at FUNC:
# max >= US and max <= ftrace * 1.02 + 5 us; then two more sections and count == 3.
# ftrace names a section by its parent_ip when it has one (for a function that disables
# interrupts itself, that is its caller, the injector's worker_thread); preemptstat names the
# function.
# accuracy_measure MODE KIND TRACER FUNC US: the measuring part of `accuracy`; prints
# "PREEMPTSTAT_MAX_NS FTRACE_US", or fails when ftrace never recorded the section.
accuracy_measure() {
	local mode=$1 kind=$2 tracer=$3 fn=$4 us=$5 try ft="" ps_max misses=""
	local names="${fn%+}|[0-9]inject[0-9]+worker_thread"
	for try in $(seq 30); do
		ps_reset
		ftrace_arm "$tracer" $((us - us / 20))
		# The injector turns tracing off as the section closes: on the debug kernel the
		# kernel's own sections are longer than 100 us and one would replace ftrace's
		# latest before this shell could.
		inject "$mode 1 $us 1 1000 traceoff"
		echo 0 >"$TRACEFS/tracing_on"
		# ftrace names functions without offsets (%ps).
		if grep -qE "started at: .*($names)( |\$)" "$TRACEFS/trace" &&
			grep -qE "ended at: .*($names)( |\$)" "$TRACEFS/trace"; then
			ft=$(cat "$TRACEFS/tracing_max_latency")
			break
		fi
		misses="$misses $(grep -m1 'started at' "$TRACEFS/trace" | awk '{ print $NF }' | grep . || echo none)"
	done
	ftrace_disarm
	[ -z "$misses" ] || echo "$mode $us us: ftrace's latest section before: $misses" >&2
	[ -n "$ft" ] || die "$mode $us us: ftrace never recorded the injected section"
	ps_max=$(site_field "$kind" "$fn" 5)
	[ -n "$ps_max" ] || die "$mode $us us: no $kind site starting in $fn: $(head -5 "$PS_ROOT/sites")"
	echo "$ps_max $ft"
}

accuracy() {
	local mode=$1 kind=$2 tracer=$3 fn=$4 us=$5 ps_max ft r
	r=$(accuracy_measure "$@") || { echo "$r"; exit 1; }
	read -r ps_max ft <<<"$r"
	local lo=$((us * 1000)) hi=$((ft * 1000 * 102 / 100 + 5000))
	info "$mode $us us: preemptstat $kind max $ps_max ns, ftrace $tracer $ft us (bounds $lo..$hi)"
	[ "$ps_max" -ge "$lo" ] || die "$mode $us us: preemptstat max $ps_max ns < injected $lo ns"
	[ "$ps_max" -le "$hi" ] || die "$mode $us us: preemptstat max $ps_max ns > ftrace bound $hi ns"
	inject "$mode 1 $us 2 200"
	local count
	count=$(site_field "$kind" "$fn" 2)
	assert_eq "$count" 3 "$mode $us us: $kind count at $fn"
	# Never attributed to the lock functions or the Rust helpers.
	! sites_awk "if (\$1 == \"$kind\" && start ~ /^_raw_spin|^rust_helper/) print" | grep -q . ||
		die "$mode: a $kind site starts in a lock function or a Rust helper"
}

# --- Wakeup probe helpers ---------------------------------------------------------------------

# spikes_where AWK_CONDITION: the spikes lines matching an awk condition on the columns
# (1 cpu, 2 expiry_ns, 3 irq_latency_ns, 4 thread_latency_ns, 5 pid, 6 comm, 7 blame_kind,
# 8 blame_context, 9 open_ns, 10 start, ...).
spikes_where() {
	awk "!/^#/ && ($1)" "$PS_ROOT/spikes"
}

# blame_count_check CPU FUNC N BLAMED: BLAMED (spike lines) must be N lines; if not, shows
# every spike of CPU and the injector's any site (FUNC) before failing, so that a missing
# spike can be told from an unblamed one (the window was mostly not the section: a vCPU stop
# under emulation) or from one blamed elsewhere.
blame_count_check() {
	local n
	n=$(awk 'NF { n++ } END { print n + 0 }' <<<"$4")
	[ "$n" = "$3" ] && return 0
	info "every spike on CPU $1:"
	info "$(spikes_where "\$1 == $1")"
	info "the any site of $2: $(site_line any "$2")"
	die "spikes on CPU $1 blamed on $2: got $n, expected $3"
}

# --- Breakdown helpers ------------------------------------------------------------------------

# cause_lines CPU MIN_NS: for each spike of CPU in the newest ring with a thread latency of at
# least MIN_NS, "expiry_ns thread_latency_ns cause cause_ns ID NAME EXTRA" (the last three from
# its rank-1 part in spike_parts; symbols keep their " [module]" suffix).
cause_lines() {
	awk -v c="$1" -v m="$2" '
		FNR == NR {
			if ($1 == "part" && $4 == 1) {
				l = $6
				for (i = 7; i < NF; i++) l = l " " $i
				p[$2 " " $3] = l
			}
			next
		}
		!/^#/ && $1 == c && $4 >= m {
			k = $1 " " $2
			print $2, $4, $(NF - 11), $(NF - 10), (k in p ? p[k] : "- - -")
		}' "$PS_ROOT/spike_parts" "$PS_ROOT/spikes"
}

# breakdown_check CPU CLASS PATTERN INJECT_US NEED: of the spikes on CPU at least half an
# injection long, at least NEED name CLASS as their cause, with PATTERN in the cause's label,
# and a cause time of at least 80 % of the injection's overlap with the window (taken as the
# smaller of the thread latency and the injection's length). Also checks that every spike's
# ten class times sum to its thread latency.
breakdown_check() {
	local lines good
	awk '!/^#/ { s = 0; for (i = NF - 9; i <= NF; i++) s += $i; if (s != $4) { print; exit 1 } }' \
		"$PS_ROOT/spikes" || die "a spike's class times do not sum to its thread latency"
	lines=$(cause_lines "$1" $(($4 * 500)))
	info "spikes on CPU $1 (expiry thread_ns cause cause_ns label):"
	info "$lines"
	good=$(awk -v cl="$2" -v pat="$3" -v inj="$(($4 * 1000))" '
		{ ov = ($2 < inj) ? $2 : inj }
		$3 == cl && index($0, pat) && $4 * 10 >= ov * 8 { n++ }
		END { print n + 0 }' <<<"$lines")
	info "$good spikes name $2 ($3) for at least 80 % of the injection"
	[ "$good" -ge "$5" ] || die "$good spikes on CPU $1 name $2 ($3), expected at least $5"
}

# wakeup_field CPU COLUMN: a column of the wakeup line of CPU (1 cpu, 2 irq_count, ...,
# 6 thread_count, 9 thread_max_ns, 10 missed, 11 spikes).
wakeup_field() {
	awk -v c="$1" -v f="$2" '$1 == c { print $f }' "$PS_ROOT/wakeup"
}
