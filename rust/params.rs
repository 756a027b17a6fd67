// SPDX-License-Identifier: GPL-2.0

//! The module parameters, declared in C (`preemptstat_params.c`: the same mechanism on every
//! kernel series) and read here. Their bounds are checked by the caller, at load time.

extern "C" {
    fn preemptstat_param_sites_per_cpu() -> u32;
    fn preemptstat_param_worst() -> u32;
    fn preemptstat_param_log_entries() -> u32;
    fn preemptstat_param_threshold_us() -> u64;
    fn preemptstat_param_enabled() -> bool;
    fn preemptstat_param_wakeup() -> bool;
    fn preemptstat_param_breakdown() -> bool;
    fn preemptstat_param_period_us() -> u32;
    fn preemptstat_param_wakeup_threshold_us() -> u64;
    fn preemptstat_param_wakeup_prio() -> u32;
    fn preemptstat_param_spikes_per_cpu() -> u32;
}

/// Defines a safe reader for each parameter.
macro_rules! params {
    ($($(#[$doc:meta])* $name:ident: $ty:ty = $c:ident;)*) => {
        $(
            $(#[$doc])*
            pub(crate) fn $name() -> $ty {
                // SAFETY: Reads a parameter the kernel set before `init`; nothing writes it
                // afterwards (permission 0: no sysfs file).
                unsafe { $c() }
            }
        )*
    };
}

params! {
    /// `sites_per_cpu`: site table slots per CPU.
    sites_per_cpu: u32 = preemptstat_param_sites_per_cpu;
    /// `worst`: worst sections kept.
    worst: u32 = preemptstat_param_worst;
    /// `log_entries`: threshold log records per CPU.
    log_entries: u32 = preemptstat_param_log_entries;
    /// `threshold_us`: the threshold log's threshold.
    threshold_us: u64 = preemptstat_param_threshold_us;
    /// `enabled`: record from load time.
    enabled: bool = preemptstat_param_enabled;
    /// `wakeup`: run the wakeup probe from load time.
    wakeup: bool = preemptstat_param_wakeup;
    /// `period_us`: the wakeup timer's period.
    period_us: u32 = preemptstat_param_period_us;
    /// `wakeup_threshold_us`: the spike threshold.
    wakeup_threshold_us: u64 = preemptstat_param_wakeup_threshold_us;
    /// `wakeup_prio`: the wakeup threads' SCHED_FIFO priority.
    wakeup_prio: u32 = preemptstat_param_wakeup_prio;
    /// `spikes_per_cpu`: spikes kept per CPU.
    spikes_per_cpu: u32 = preemptstat_param_spikes_per_cpu;
    /// `breakdown`: hook the breakdown's tracepoints.
    breakdown: bool = preemptstat_param_breakdown;
}
