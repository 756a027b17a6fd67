// SPDX-License-Identifier: GPL-2.0
//! The command line ([`Cli`]) and [`run`], which carries out a parsed command.

use std::io::Write;
use std::path::PathBuf;

use clap::{ColorChoice, CommandFactory, Parser, Subcommand, ValueEnum};
use preemptstat_core::{
    CpuWakeup, Kind, Setting, Snapshot, WorstSection, SUPPORTED_FORMAT_VERSION, WAKEUP_FILE,
};
use serde::Serialize;

use crate::error::{Error, EXIT_OVER_THRESHOLD};
use crate::json::{JsonDocument, JsonHistograms, JsonLogEntry, JsonSite, JsonWakeup, JsonWorst};
use crate::query::{KindArg, SiteQuery, SortKey};
use crate::source::{DebugfsSource, DEFAULT_DEBUGFS_MOUNT, DEFAULT_ROOT};
use crate::text;
use crate::units::format_ns;

/// Shown at the end of `--help`.
const EXAMPLES: &str = "\
Examples:
  preemptstat                             Summary, longest sites, worst sections, wakeup latency
  preemptstat sites --kind irq --limit 5  The 5 longest irqs-off sites
  preemptstat sites --filter my_driver    Sites in functions or modules matching my_driver
  preemptstat worst --stacks              The longest sections with their stacks
  preemptstat hist --kind preempt         Histogram of preempt-off sections
  preemptstat wakeup                      Wakeup latency per CPU, the late wakeups by cause, with blame
  preemptstat wakeup --hist --cpu 1       The same for CPU 1, with latency histograms
  preemptstat sites --sort spikes         Sites blamed for the most late wakeups first
  preemptstat sites --json                All sites as JSON
  preemptstat --fail-over-us 500 report   Exit 1 if any section or wakeup latency exceeded 500 us
  preemptstat set threshold_us 200        Log sections of 200 us and more
  preemptstat set period_us 500           Wake the probe every 500 us
  preemptstat reset                       Clear all statistics
  preemptstat record before.json          Save every statistic as JSON
  preemptstat diff before.json after.json Compare two saved snapshots site by site
  preemptstat export --format prometheus  Metrics for node_exporter's textfile collector
  preemptstat watch --interval 5          Refresh the report every 5 s, with what changed
  preemptstat completions bash            Shell completion script
  preemptstat --root ./capture            Read a copy of /sys/kernel/debug/preemptstat

Exit status: 0 on success; 1 when --fail-over-us found a longer section or
wakeup latency; 2 on any error (one line on standard error).";

/// Reads the statistics the preemptstat kernel module exposes in debugfs.
#[derive(Debug, Clone, Parser)]
#[command(
    name = "preemptstat",
    version,
    color = ColorChoice::Never,
    after_help = EXAMPLES,
    disable_help_subcommand = true
)]
pub struct Cli {
    /// The module's debugfs directory, or a copy of it.
    #[arg(long, global = true, value_name = "DIR", default_value = DEFAULT_ROOT)]
    pub root: PathBuf,

    /// Where debugfs is mounted, used to explain a missing --root (for tests).
    #[arg(
        long,
        global = true,
        hide = true,
        value_name = "DIR",
        default_value = DEFAULT_DEBUGFS_MOUNT
    )]
    pub debugfs_mount: PathBuf,

    /// Exit with status 1 if any site's longest section, or any CPU's largest
    /// wakeup latency (IRQ or thread), took more than N us.
    ///
    /// Read commands print their normal output first, then one line per such
    /// site and CPU latency on standard error. Every site and CPU counts,
    /// whatever the command shows.
    #[arg(long, global = true, value_name = "N")]
    pub fail_over_us: Option<u64>,

    /// Options of `report` when no command is given (with a command, its
    /// own options come after it).
    #[command(flatten)]
    pub report: ReportArgs,

    /// What to do; `report` when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands.
#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum Command {
    /// Print the summary, the 10 longest sites of each kind, the 5 worst sections, each CPU's wakeup latency and the 5 worst spikes (default).
    Report(ReportArgs),
    /// Print the sites: statistics per (kind, start, end), longest first.
    Sites(SitesArgs),
    /// Print the longest sections the module kept.
    Worst(WorstArgs),
    /// Print the log of sections at or over threshold_us, oldest first.
    Log(LogArgs),
    /// Print the log2 histograms of section durations as bars.
    Hist(HistArgs),
    /// Print the wakeup probe's latency per CPU, the time of its late wakeups (spikes) by cause, and each spike with the section blamed and its breakdown, then the worst spikes.
    Wakeup(WakeupArgs),
    /// Print the module's debugfs format version and check this reader supports it.
    Version(VersionArgs),
    /// Set a control: `enable 0|1`, `threshold_us 0..10000000`, `wakeup_enable 0|1`, `period_us 100..1000000` or `wakeup_threshold_us 0..10000000`.
    Set(SetArgs),
    /// Clear every statistic, list and log (writes 1 to reset).
    Reset,
    /// Save the whole snapshot to FILE as the JSON object `report --json` prints.
    #[command(
        after_long_help = "Example:\n  preemptstat record before.json && sleep 60 && preemptstat record after.json"
    )]
    Record(RecordArgs),
    /// Compare two snapshots saved by `record`: new, gone and changed sites.
    #[command(after_long_help = "Example:\n  preemptstat diff before.json after.json --limit 20")]
    Diff(DiffArgs),
    /// Print the statistics in a metrics format (Prometheus text exposition), or write them to a file for node_exporter's textfile collector, once or every few seconds.
    #[command(
        after_long_help = "Examples:\n  preemptstat export --format prometheus --top 5\n  preemptstat export --format prometheus --output /var/lib/prometheus/node-exporter/preemptstat.prom --interval 15"
    )]
    Export(ExportArgs),
    /// Refresh the report every few seconds, with the sites that grew most since the previous refresh; Ctrl-C ends it.
    #[command(after_long_help = "Example:\n  preemptstat watch --interval 5")]
    Watch(WatchArgs),
    /// Draw an SVG chart: the section histograms, or the late wakeups with the wakeup latency histogram.
    #[command(
        after_long_help = "Examples:\n  preemptstat plot hist --kind irq --output irq.svg\n  preemptstat plot wakeup --cpu 1 --threshold-us 2000 --output wakeup.svg"
    )]
    Plot(PlotArgs),
    /// Print a shell completion script.
    #[command(
        after_long_help = "Example:\n  preemptstat completions bash > /etc/bash_completion.d/preemptstat"
    )]
    Completions(CompletionsArgs),
}

impl Command {
    /// The subcommand's name, for messages.
    pub fn name(&self) -> &'static str {
        match self {
            Command::Report(_) => "report",
            Command::Sites(_) => "sites",
            Command::Worst(_) => "worst",
            Command::Log(_) => "log",
            Command::Hist(_) => "hist",
            Command::Wakeup(_) => "wakeup",
            Command::Version(_) => "version",
            Command::Set(_) => "set",
            Command::Reset => "reset",
            Command::Record(_) => "record",
            Command::Diff(_) => "diff",
            Command::Export(_) => "export",
            Command::Watch(_) => "watch",
            Command::Completions(_) => "completions",
            Command::Plot(_) => "plot",
        }
    }
}

/// Options of `preemptstat report`.
#[derive(Debug, Clone, Default, PartialEq, Eq, clap::Args)]
pub struct ReportArgs {
    /// Print JSON instead: every part of the snapshot.
    #[arg(long)]
    pub json: bool,
}

/// Options of `preemptstat sites`.
#[derive(Debug, Clone, Default, PartialEq, Eq, clap::Args)]
pub struct SitesArgs {
    /// Only sites of this kind.
    #[arg(long, value_enum, value_name = "KIND")]
    pub kind: Option<KindArg>,

    /// Sort by this, largest first.
    #[arg(long, value_enum, default_value_t = SortKey::Max, value_name = "KEY")]
    pub sort: SortKey,

    /// Show at most N sites.
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,

    /// Only sites whose start or end (demangled, module name included) contains SUBSTR.
    #[arg(long, value_name = "SUBSTR")]
    pub filter: Option<String>,

    /// Print JSON instead: {"version":2,"sections":[...]}.
    #[arg(long)]
    pub json: bool,
}

impl SitesArgs {
    /// The selection these options describe.
    pub fn query(&self) -> SiteQuery {
        SiteQuery {
            kind: self.kind.map(Kind::from),
            sort: self.sort,
            limit: self.limit,
            filter: self.filter.clone(),
        }
    }
}

/// Options of `preemptstat worst`.
#[derive(Debug, Clone, Default, PartialEq, Eq, clap::Args)]
pub struct WorstArgs {
    /// Print each section's stack, innermost frame first.
    #[arg(long)]
    pub stacks: bool,

    /// Print JSON instead (stacks included): {"version":2,"worst":[...]}.
    #[arg(long)]
    pub json: bool,
}

/// Options of `preemptstat log`.
#[derive(Debug, Clone, Default, PartialEq, Eq, clap::Args)]
pub struct LogArgs {
    /// Print JSON instead: {"version":2,"log":[...]}.
    #[arg(long)]
    pub json: bool,
}

/// Options of `preemptstat hist`.
#[derive(Debug, Clone, Default, PartialEq, Eq, clap::Args)]
pub struct HistArgs {
    /// Only the histogram of this kind.
    #[arg(long, value_enum, value_name = "KIND")]
    pub kind: Option<KindArg>,

    /// Per-site histograms instead: the sites whose start or end (demangled, with its
    /// module) contains SUBSTR, longest section first.
    #[arg(long, value_name = "SUBSTR")]
    pub site: Option<String>,

    /// With --site: at most this many sites.
    #[arg(long, value_name = "N", default_value_t = 10, requires = "site")]
    pub limit: usize,

    /// Print JSON instead: {"version":2,"hist":{...}}.
    #[arg(long)]
    pub json: bool,
}

/// Options of `preemptstat wakeup`.
#[derive(Debug, Clone, Default, PartialEq, Eq, clap::Args)]
pub struct WakeupArgs {
    /// Also print each CPU's IRQ and thread latency histograms as bars.
    #[arg(long)]
    pub hist: bool,

    /// Only this CPU (its statistics, causes, spikes and histograms).
    #[arg(long, value_name = "N")]
    pub cpu: Option<u32>,

    /// Print JSON instead (histograms and breakdowns included): {"version":2,"wakeup":{...}}.
    #[arg(long)]
    pub json: bool,
}

/// Options of `preemptstat version`.
#[derive(Debug, Clone, Default, PartialEq, Eq, clap::Args)]
pub struct VersionArgs {
    /// Print JSON instead: {"version":N}.
    #[arg(long)]
    pub json: bool,
}

/// The settings `preemptstat set` can change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SettingArg {
    /// Recording on (1) or off (0).
    #[value(name = "enable")]
    Enable,
    /// Log sections at least this many microseconds long (0 to 10000000; 0: none).
    #[value(name = "threshold_us")]
    ThresholdUs,
    /// Wakeup probe on (1) or off (0).
    #[value(name = "wakeup_enable")]
    WakeupEnable,
    /// The wakeup probe's timer period in microseconds (100 to 1000000).
    #[value(name = "period_us")]
    PeriodUs,
    /// Wakeups this many microseconds late or more are spikes (0 to 10000000; 0: none).
    #[value(name = "wakeup_threshold_us")]
    WakeupThresholdUs,
}

impl From<SettingArg> for Setting {
    fn from(s: SettingArg) -> Self {
        match s {
            SettingArg::Enable => Setting::Enable,
            SettingArg::ThresholdUs => Setting::ThresholdUs,
            SettingArg::WakeupEnable => Setting::WakeupEnable,
            SettingArg::PeriodUs => Setting::PeriodUs,
            SettingArg::WakeupThresholdUs => Setting::WakeupThresholdUs,
        }
    }
}

/// Options of `preemptstat set`.
#[derive(Debug, Clone, PartialEq, Eq, clap::Args)]
pub struct SetArgs {
    /// The setting.
    #[arg(value_enum)]
    pub key: SettingArg,

    /// The new value, checked before anything is written.
    #[arg(allow_hyphen_values = true)]
    pub value: String,
}

/// Options of `preemptstat record`.
#[derive(Debug, Clone, PartialEq, Eq, clap::Args)]
pub struct RecordArgs {
    /// Where to write the snapshot (replaced atomically).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

/// Options of `preemptstat diff`.
#[derive(Debug, Clone, PartialEq, Eq, clap::Args)]
pub struct DiffArgs {
    /// The earlier snapshot.
    #[arg(value_name = "A")]
    pub a: PathBuf,

    /// The later snapshot.
    #[arg(value_name = "B")]
    pub b: PathBuf,

    /// Show at most N sites.
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,

    /// Print JSON instead: {"new":N,"gone":N,"changed":N,"sites":[...]}.
    #[arg(long)]
    pub json: bool,
}

/// The formats of `preemptstat export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// The Prometheus text exposition format.
    Prometheus,
}

/// Options of `preemptstat export`.
#[derive(Debug, Clone, PartialEq, clap::Args)]
pub struct ExportArgs {
    /// The output format.
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: ExportFormat,

    /// Export the N start functions with the longest sections of each kind.
    #[arg(long, value_name = "N", default_value_t = crate::prom::DEFAULT_TOP)]
    pub top: usize,

    /// Write to FILE instead, atomically (through a hidden temporary file
    /// beside it, not named *.prom); without the module, FILE gets
    /// `preemptstat_up 0` alone.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Write FILE every SECS seconds (at least 0.5) until SIGTERM, SIGINT
    /// or SIGHUP, then exit 0; while the module's files cannot be read,
    /// write `preemptstat_up 0`.
    #[arg(long, value_name = "SECS", requires = "output", value_parser = parse_interval)]
    pub interval: Option<f64>,

    /// With --interval: stop after N writes (for tests).
    #[arg(long, hide = true, value_name = "N", requires = "interval")]
    pub iterations: Option<u64>,
}

impl Eq for ExportArgs {}

/// Options of `preemptstat watch`.
#[derive(Debug, Clone, PartialEq, clap::Args)]
pub struct WatchArgs {
    /// Seconds between refreshes (at least 0.5).
    #[arg(long, value_name = "SECS", default_value_t = 2.0, value_parser = parse_interval)]
    pub interval: f64,

    /// Stop after N refreshes (for tests).
    #[arg(long, hide = true, value_name = "N")]
    pub iterations: Option<u64>,
}

impl Eq for WatchArgs {}

/// Parses `--interval`: a finite number of seconds, at least 0.5.
fn parse_interval(s: &str) -> Result<f64, String> {
    let v: f64 = s
        .parse()
        .map_err(|_| format!("expected a number of seconds, found {s:?}"))?;
    if !(crate::watch::MIN_INTERVAL_S..=86_400.0).contains(&v) {
        return Err(format!(
            "must be between {} and 86400 seconds",
            crate::watch::MIN_INTERVAL_S
        ));
    }
    Ok(v)
}

/// Options of `preemptstat plot`.
#[derive(Debug, Clone, PartialEq, Eq, clap::Args)]
pub struct PlotArgs {
    /// What to draw.
    #[command(subcommand)]
    pub what: PlotWhat,
}

/// The charts of `preemptstat plot`.
#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum PlotWhat {
    /// The log2 histograms of section durations as bars (log y axis), one panel per kind.
    #[command(
        after_long_help = "Example:\n  preemptstat plot hist --kind preempt --output preempt.svg"
    )]
    Hist(PlotHistArgs),
    /// The late wakeups (expiry time vs thread latency) with the threshold line, their latency split by cause, and the thread latency histogram.
    #[command(
        after_long_help = "Example:\n  preemptstat plot wakeup --cpu 0 --output wakeup-cpu0.svg"
    )]
    Wakeup(PlotWakeupArgs),
}

/// Options of `preemptstat plot hist`.
#[derive(Debug, Clone, PartialEq, Eq, clap::Args)]
pub struct PlotHistArgs {
    /// Only the histogram of this kind.
    #[arg(long, value_enum, value_name = "KIND")]
    pub kind: Option<KindArg>,

    /// The SVG file to write (replaced atomically).
    #[arg(long, value_name = "FILE.svg")]
    pub output: PathBuf,
}

/// Options of `preemptstat plot wakeup`.
#[derive(Debug, Clone, PartialEq, Eq, clap::Args)]
pub struct PlotWakeupArgs {
    /// Only this CPU.
    #[arg(long, value_name = "N")]
    pub cpu: Option<u32>,

    /// Draw the threshold line here (default: the module's wakeup_threshold_us).
    #[arg(long, value_name = "T")]
    pub threshold_us: Option<u64>,

    /// The SVG file to write (replaced atomically).
    #[arg(long, value_name = "FILE.svg")]
    pub output: PathBuf,
}

/// The shells `preemptstat completions` supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ShellArg {
    /// GNU bash.
    Bash,
    /// Z shell.
    Zsh,
    /// fish.
    Fish,
}

/// Options of `preemptstat completions`.
#[derive(Debug, Clone, PartialEq, Eq, clap::Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: ShellArg,
}

/// The JSON form of `preemptstat version --json`: `{"version":2}`.
#[derive(Debug, Serialize)]
struct VersionJson {
    version: u32,
}

/// How a successful run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Everything is fine: exit 0.
    Success,
    /// `--fail-over-us` found a longer section: exit
    /// [`EXIT_OVER_THRESHOLD`].
    OverThreshold,
}

impl Status {
    /// The process exit code.
    pub fn exit_code(self) -> u8 {
        match self {
            Status::Success => 0,
            Status::OverThreshold => EXIT_OVER_THRESHOLD,
        }
    }
}

impl Cli {
    /// The source the options describe.
    pub fn source(&self) -> DebugfsSource {
        DebugfsSource::with_root(&self.root).with_debugfs_mount(&self.debugfs_mount)
    }

    /// The command to run, with the default filled in.
    pub fn command_or_default(&self) -> Command {
        self.command
            .clone()
            .unwrap_or_else(|| Command::Report(self.report.clone()))
    }
}

/// Runs `cli`, writing the output to `out` and the `--fail-over-us`
/// offenders to `diag` (standard error in the binary), one line each: the
/// sites in file order, then the CPUs' thread and IRQ latencies:
///
/// ```text
/// preemptstat: over 5000 us: any max 7.53 ms (7532054 ns) at worker_thread+0x253/0x2f0
/// preemptstat: over 5000 us: wakeup cpu 0 thread max 8.91 ms (8911872 ns)
/// ```
///
/// `preemptstat version` writes `format version: 2 (reader supports 2)`,
/// and with `--json` `{"version":2}`.
///
/// # Errors
///
/// Any [`Error`] from reading, parsing or writing the module's files, an
/// [`Error::Usage`] for `--fail-over-us` with `set` or `reset`, or
/// [`Error::Output`] if `out` fails; [`Error::NoSuchCpu`] for `wakeup --cpu`
/// with a CPU the module does not list.
pub fn run(cli: &Cli, out: &mut dyn Write, diag: &mut dyn Write) -> Result<Status, Error> {
    let source = cli.source();
    let command = cli.command_or_default();
    if let (Some(command), true) = (&cli.command, cli.report.json) {
        return Err(Error::Usage {
            message: format!(
                "--json goes after the command: 'preemptstat {} --json'",
                command.name()
            ),
        });
    }
    if let (
        Command::Set(_) | Command::Reset | Command::Diff(_) | Command::Completions(_),
        Some(_),
    ) = (&command, cli.fail_over_us)
    {
        return Err(Error::Usage {
            message: format!(
                "--fail-over-us applies to read commands, not '{}'",
                command.name()
            ),
        });
    }
    match &command {
        Command::Set(args) => {
            let value = source.set(args.key.into(), &args.value)?;
            return output(out, |out| {
                writeln!(out, "{} = {value}", Setting::from(args.key))
            });
        }
        Command::Reset => {
            source.reset()?;
            return output(out, |out| writeln!(out, "reset"));
        }
        Command::Diff(args) => {
            let a = crate::diff::read_recorded(&args.a)?;
            let b = crate::diff::read_recorded(&args.b)?;
            let d = crate::diff::diff(&a, &b, args.limit);
            return output(out, |out| {
                if args.json {
                    let json = serde_json::to_string(&d)?;
                    writeln!(out, "{json}")
                } else {
                    crate::diff::write_diff(out, &d)
                }
            });
        }
        Command::Completions(args) => {
            let shell = match args.shell {
                ShellArg::Bash => clap_complete::Shell::Bash,
                ShellArg::Zsh => clap_complete::Shell::Zsh,
                ShellArg::Fish => clap_complete::Shell::Fish,
            };
            return output(out, |out| {
                let mut buf = Vec::new();
                clap_complete::generate(shell, &mut Cli::command(), "preemptstat", &mut buf);
                out.write_all(&buf)
            });
        }
        Command::Watch(args) => return watch(cli, &source, args, out, diag),
        Command::Export(args) if args.output.is_some() => return export(cli, &source, args, diag),
        Command::Version(args) if cli.fail_over_us.is_none() => {
            let version = source.read_version()?.get();
            write_version(out, version, args.json)?;
            return Ok(Status::Success);
        }
        _ => {}
    }
    let snapshot = source.read_snapshot()?;
    let cpus = match &command {
        Command::Wakeup(args) => select_cpus(&source, &snapshot, args.cpu)?,
        Command::Plot(PlotArgs {
            what: PlotWhat::Wakeup(args),
        }) => select_cpus(&source, &snapshot, args.cpu)?,
        _ => Vec::new(),
    };
    if let Command::Record(args) = &command {
        let json = serde_json::to_string(&JsonDocument::full(&snapshot))
            .map_err(|e| Error::Output { source: e.into() })?;
        crate::diff::write_atomic(&args.file, &json)?;
    } else if let Command::Plot(args) = &command {
        let (svg, path) = match &args.what {
            PlotWhat::Hist(h) => {
                let kinds = match h.kind {
                    Some(kind) => vec![Kind::from(kind)],
                    None => Kind::ALL.to_vec(),
                };
                (crate::plot::hist_svg(&snapshot, &kinds), &h.output)
            }
            PlotWhat::Wakeup(w) => {
                let ids: Vec<u32> = cpus.iter().map(|c| c.cpu).collect();
                let threshold = w
                    .threshold_us
                    .unwrap_or_else(|| snapshot.summary.wakeup_threshold_us());
                (
                    crate::plot::wakeup_svg(&snapshot, &ids, threshold),
                    &w.output,
                )
            }
        };
        crate::diff::write_atomic(path, &svg)?;
    } else {
        write_snapshot(out, &command, &snapshot, &cpus)?;
    }
    fail_over(cli, &snapshot, diag)
}

/// The `--fail-over-us` check of a read command: one line on `diag` per
/// offender, and [`Status::OverThreshold`] if there was one.
fn fail_over(cli: &Cli, snapshot: &Snapshot, diag: &mut dyn Write) -> Result<Status, Error> {
    let Some(limit_us) = cli.fail_over_us else {
        return Ok(Status::Success);
    };
    let mut over = false;
    // Like the exit status, the list matters more than a failing stderr.
    for site in snapshot.sites_over(limit_us) {
        over = true;
        let _ = writeln!(
            diag,
            "preemptstat: over {limit_us} us: {} max {} ({} ns) at {}",
            site.kind,
            format_ns(site.max_ns),
            site.max_ns,
            site.start
        );
    }
    for o in snapshot.wakeup_over(limit_us) {
        over = true;
        let _ = writeln!(
            diag,
            "preemptstat: over {limit_us} us: wakeup cpu {} {} max {} ({} ns)",
            o.cpu,
            o.latency,
            format_ns(o.max_ns),
            o.max_ns
        );
    }
    if !over {
        return Ok(Status::Success);
    }
    let _ = diag.flush();
    Ok(Status::OverThreshold)
}

/// Runs `watch`: refreshes until Ctrl-C or `--iterations`; the terminal is
/// cleared before each refresh only when standard output is one, otherwise
/// refreshes are separated by a line of `-`. `--fail-over-us` applies to
/// the last refresh.
fn watch(
    cli: &Cli,
    source: &DebugfsSource,
    args: &WatchArgs,
    out: &mut dyn Write,
    diag: &mut dyn Write,
) -> Result<Status, Error> {
    use std::io::IsTerminal;
    let clear = std::io::stdout().is_terminal();
    let interval = std::time::Duration::from_secs_f64(args.interval);
    let mut previous: Option<crate::watch::Previous> = None;
    let mut done = 0u64;
    loop {
        let snapshot = source.read_snapshot()?;
        output(out, |out| {
            if clear {
                write!(out, "\x1b[H\x1b[2J")?;
            } else if done > 0 {
                writeln!(out, "{}", "-".repeat(72))?;
            }
            text::write_report(out, &snapshot)?;
            writeln!(out)?;
            match &previous {
                None => writeln!(out, "First refresh: no deltas yet."),
                Some(p) => crate::watch::write_deltas(
                    out,
                    &p.deltas(&snapshot, crate::watch::WATCH_DELTA_SITES),
                ),
            }
        })?;
        previous = Some(crate::watch::Previous::of(&snapshot));
        done += 1;
        if args.iterations.is_some_and(|n| done >= n)
            || crate::watch::was_interrupted()
            || crate::watch::sleep_interruptibly(interval)
        {
            return fail_over(cli, &snapshot, diag);
        }
    }
}

/// Runs `export --output FILE`: once, with `--fail-over-us` applied to the
/// snapshot written, or every `--interval` until a termination signal.
///
/// # Errors
///
/// [`Error::Usage`] for `--fail-over-us` with `--interval`;
/// [`Error::WriteFile`] if FILE cannot be written; once, the read failure
/// after `preemptstat_up 0` was written.
fn export(
    cli: &Cli,
    source: &DebugfsSource,
    args: &ExportArgs,
    diag: &mut dyn Write,
) -> Result<Status, Error> {
    let Some(path) = &args.output else {
        return Err(Error::Usage {
            message: "export writes to a file only with --output".into(),
        });
    };
    let Some(interval) = args.interval else {
        return match crate::export::export_once(source, args.top, path)? {
            crate::export::Outcome::Up(snapshot) => fail_over(cli, &snapshot, diag),
            crate::export::Outcome::Down(err) => Err(err),
        };
    };
    if cli.fail_over_us.is_some() {
        return Err(Error::Usage {
            message: "--fail-over-us applies to one export, not to export --interval".into(),
        });
    }
    let interval = std::time::Duration::from_secs_f64(interval);
    crate::export::export_every(source, args.top, path, interval, args.iterations, diag)?;
    Ok(Status::Success)
}

/// The CPUs `wakeup` shows: all of them, or only `only`.
///
/// # Errors
///
/// [`Error::NoSuchCpu`] if the `wakeup` file does not list `only`.
fn select_cpus<'a>(
    source: &DebugfsSource,
    snapshot: &'a Snapshot,
    only: Option<u32>,
) -> Result<Vec<&'a CpuWakeup>, Error> {
    let Some(cpu) = only else {
        return Ok(snapshot.wakeup.iter().collect());
    };
    match snapshot.wakeup_cpu(cpu) {
        Some(c) => Ok(vec![c]),
        None => Err(Error::NoSuchCpu {
            path: source.path(WAKEUP_FILE),
            cpu,
            cpus: snapshot.wakeup.iter().map(|c| c.cpu).collect(),
        }),
    }
}

/// Runs `write` on `out` and flushes, mapping failures to [`Error::Output`].
fn output(
    out: &mut dyn Write,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<Status, Error> {
    write(out)
        .and_then(|()| out.flush())
        .map_err(|source| Error::Output { source })?;
    Ok(Status::Success)
}

/// Writes the output of `preemptstat version`.
fn write_version(out: &mut dyn Write, version: u32, json: bool) -> Result<Status, Error> {
    output(out, |out| {
        if json {
            let json = serde_json::to_string(&VersionJson { version })?;
            writeln!(out, "{json}")
        } else {
            writeln!(
                out,
                "format version: {version} (reader supports {SUPPORTED_FORMAT_VERSION})"
            )
        }
    })
}

/// Writes `doc` as one line of JSON.
fn write_json(out: &mut dyn Write, doc: &JsonDocument<'_>) -> std::io::Result<()> {
    let json = serde_json::to_string(doc)?;
    writeln!(out, "{json}")
}

/// Writes the output of the read command `command` for `snapshot`; `cpus`
/// are the CPUs `wakeup` shows.
fn write_snapshot(
    out: &mut dyn Write,
    command: &Command,
    snapshot: &Snapshot,
    cpus: &[&CpuWakeup],
) -> Result<(), Error> {
    let base = JsonDocument::new(snapshot);
    output(out, |out| match command {
        Command::Report(args) if args.json => write_json(out, &JsonDocument::full(snapshot)),
        Command::Report(_) => text::write_report(out, snapshot),
        Command::Sites(args) => {
            let sites = args.query().select(&snapshot.sites);
            if args.json {
                let sections = sites.into_iter().map(JsonSite::from).collect();
                write_json(
                    out,
                    &JsonDocument {
                        sections: Some(sections),
                        ..base
                    },
                )
            } else {
                text::write_sites(out, &sites, true)
            }
        }
        Command::Worst(args) if args.json => {
            let worst = snapshot.worst.iter().map(JsonWorst::from).collect();
            write_json(
                out,
                &JsonDocument {
                    worst: Some(worst),
                    ..base
                },
            )
        }
        Command::Worst(args) => {
            let worst: Vec<&WorstSection> = snapshot.worst.iter().collect();
            text::write_worst(out, &worst, args.stacks)
        }
        Command::Log(args) if args.json => {
            let log = snapshot.log.iter().map(JsonLogEntry::from).collect();
            write_json(
                out,
                &JsonDocument {
                    log: Some(log),
                    ..base
                },
            )
        }
        Command::Log(_) => text::write_log(out, &snapshot.log),
        Command::Hist(args) if args.site.is_some() => {
            let query = SiteQuery {
                kind: args.kind.map(Kind::from),
                sort: SortKey::Max,
                limit: Some(args.limit),
                filter: args.site.clone(),
            };
            let sites = query.select(&snapshot.sites);
            if args.json {
                let sections = sites.into_iter().map(JsonSite::from).collect();
                write_json(
                    out,
                    &JsonDocument {
                        sections: Some(sections),
                        ..base
                    },
                )
            } else {
                text::write_site_hists(out, &sites)
            }
        }
        Command::Hist(args) => {
            let only = args.kind.map(Kind::from);
            if args.json {
                write_json(
                    out,
                    &JsonDocument {
                        hist: Some(JsonHistograms::new(snapshot, only)),
                        ..base
                    },
                )
            } else {
                let kinds: Vec<Kind> = match only {
                    Some(kind) => vec![kind],
                    None => Kind::ALL.to_vec(),
                };
                text::write_hist(out, snapshot, &kinds)
            }
        }
        Command::Wakeup(args) if args.json => write_json(
            out,
            &JsonDocument {
                wakeup: Some(JsonWakeup::new(snapshot, args.cpu)),
                ..base
            },
        ),
        Command::Wakeup(args) => text::write_wakeup(out, snapshot, cpus, args.hist),
        Command::Version(args) if args.json => write_json(out, &base),
        Command::Version(_) => writeln!(
            out,
            "format version: {} (reader supports {SUPPORTED_FORMAT_VERSION})",
            snapshot.version.get()
        ),
        Command::Export(args) => match args.format {
            ExportFormat::Prometheus => {
                out.write_all(crate::prom::render(snapshot, args.top).as_bytes())
            }
        },
        // Handled elsewhere.
        Command::Set(_)
        | Command::Reset
        | Command::Record(_)
        | Command::Diff(_)
        | Command::Watch(_)
        | Command::Plot(_)
        | Command::Completions(_) => Ok(()),
    })
    .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;
    use std::path::Path;

    fn parse(args: &[&str]) -> Cli {
        let mut all = vec!["preemptstat"];
        all.extend_from_slice(args);
        Cli::try_parse_from(all).unwrap()
    }

    fn live() -> String {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/v2-live")
            .to_str()
            .unwrap()
            .to_string()
    }

    /// Runs `args` and returns the status or error, stdout and stderr.
    fn run_args(args: &[&str]) -> (Result<Status, Error>, String, String) {
        let (mut out, mut diag) = (Vec::new(), Vec::new());
        let result = run(&parse(args), &mut out, &mut diag);
        (
            result,
            String::from_utf8(out).unwrap(),
            String::from_utf8(diag).unwrap(),
        )
    }

    #[test]
    fn new_command_options() {
        assert_eq!(
            parse(&["watch"]).command,
            Some(Command::Watch(WatchArgs {
                interval: 2.0,
                iterations: None
            }))
        );
        for args in [
            &["watch", "--interval", "0.4"][..],
            &["watch", "--interval", "nan"],
            &["export"],
            &["export", "--format", "csv"],
            &["export", "--format", "prometheus", "--interval", "5"],
            &[
                "export",
                "--format",
                "prometheus",
                "--output",
                "a",
                "--interval",
                "0.4",
            ],
            &[
                "export",
                "--format",
                "prometheus",
                "--output",
                "a",
                "--iterations",
                "2",
            ],
            &["completions", "powershell"],
            &["diff", "a"],
            &["record"],
        ] {
            let mut all = vec!["preemptstat"];
            all.extend_from_slice(args);
            assert!(Cli::try_parse_from(all).is_err(), "{args:?}");
        }
        assert_eq!(
            parse(&["export", "--format", "prometheus"]).command,
            Some(Command::Export(ExportArgs {
                format: ExportFormat::Prometheus,
                top: 10,
                output: None,
                interval: None,
                iterations: None,
            }))
        );
        let Some(Command::Export(args)) = parse(&[
            "export",
            "--format",
            "prometheus",
            "--output",
            "a.prom",
            "--interval",
            "15",
        ])
        .command
        else {
            panic!("not export");
        };
        assert_eq!(args.output, Some(PathBuf::from("a.prom")));
        assert_eq!(args.interval, Some(15.0));
    }

    #[test]
    fn command_definition_is_valid() {
        Cli::command().debug_assert();
    }

    #[test]
    fn no_subcommand_defaults_to_report() {
        let cli = parse(&[]);
        assert_eq!(cli.command, None);
        assert_eq!(
            cli.command_or_default(),
            Command::Report(ReportArgs { json: false })
        );
        assert_eq!(cli.source(), DebugfsSource::new());
        assert_eq!(
            parse(&["--json"]).command_or_default(),
            Command::Report(ReportArgs { json: true })
        );
    }

    #[test]
    fn global_options_work_after_the_subcommand() {
        let cli = parse(&[
            "version",
            "--json",
            "--root",
            "/a",
            "--debugfs-mount",
            "/b",
            "--fail-over-us",
            "7",
        ]);
        assert_eq!(
            cli.command_or_default(),
            Command::Version(VersionArgs { json: true })
        );
        assert_eq!(
            cli.source(),
            DebugfsSource::with_root("/a").with_debugfs_mount("/b")
        );
        assert_eq!(cli.fail_over_us, Some(7));
    }

    #[test]
    fn sites_options() {
        let cli = parse(&[
            "sites", "--kind", "irq", "--sort", "mean", "--limit", "3", "--filter", "inject",
        ]);
        let Some(Command::Sites(args)) = cli.command else {
            panic!("{cli:?}");
        };
        assert_eq!(
            args.query(),
            SiteQuery {
                kind: Some(Kind::Irq),
                sort: SortKey::Mean,
                limit: Some(3),
                filter: Some("inject".into()),
            }
        );
        assert_eq!(
            parse(&["sites"]).command,
            Some(Command::Sites(SitesArgs::default()))
        );
    }

    #[test]
    fn bad_option_values_are_usage_errors() {
        for args in [
            &["sites", "--kind", "softirq"][..],
            &["sites", "--sort", "min"],
            &["sites", "--limit", "-1"],
            &["hist", "--kind", "all"],
            &["set", "enabled", "1"],
            &["set", "period", "100"],
            &["set", "wakeup_threshold", "100"],
            &["set", "enable"],
            &["--fail-over-us", "x"],
            &["reset", "now"],
        ] {
            let mut all = vec!["preemptstat"];
            all.extend_from_slice(args);
            assert!(Cli::try_parse_from(all).is_err(), "{args:?}");
        }
        // Negative values reach the reader's own check.
        let cli = parse(&["set", "threshold_us", "-5"]);
        assert!(
            matches!(cli.command, Some(Command::Set(SetArgs { ref value, .. })) if value == "-5")
        );
    }

    #[test]
    fn help_has_examples_and_hides_the_test_option() {
        let help = Cli::command().render_long_help().to_string();
        assert!(help.contains("Examples:"), "{help}");
        assert!(help.contains("--root <DIR>"), "{help}");
        assert!(help.contains("--fail-over-us <N>"), "{help}");
        assert!(help.contains(DEFAULT_ROOT), "{help}");
        assert!(!help.contains("debugfs-mount"), "{help}");
    }

    #[test]
    fn run_reports_version_text_and_json() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("version"), "preemptstat debugfs format 2\n").unwrap();
        let root = dir.path().to_str().unwrap();

        let (result, out, _) = run_args(&["--root", root, "version"]);
        assert_eq!(result.unwrap(), Status::Success);
        assert_eq!(out, "format version: 2 (reader supports 2)\n");

        let (result, out, _) = run_args(&["--root", root, "version", "--json"]);
        assert_eq!(result.unwrap(), Status::Success);
        assert_eq!(out, "{\"version\":2}\n");
    }

    #[test]
    fn version_with_fail_over_reads_the_snapshot() {
        let root = live();
        // No site is over 9 ms, but CPU 1's wakeups are.
        let (result, out, diag) = run_args(&["--root", &root, "--fail-over-us", "9000", "version"]);
        assert_eq!(result.unwrap(), Status::OverThreshold);
        assert_eq!(out, "format version: 2 (reader supports 2)\n");
        assert_eq!(
            diag,
            "preemptstat: over 9000 us: wakeup cpu 1 thread max 9.32 ms (9318454 ns)\n\
             preemptstat: over 9000 us: wakeup cpu 1 irq max 9.15 ms (9153468 ns)\n"
        );
        let (result, out, _) = run_args(&[
            "--root",
            &root,
            "--fail-over-us",
            "9000",
            "version",
            "--json",
        ]);
        assert_eq!(result.unwrap(), Status::OverThreshold);
        assert_eq!(out, "{\"version\":2}\n");
    }

    #[test]
    fn fail_over_lists_offenders_after_the_output() {
        let root = live();
        let (result, out, diag) = run_args(&[
            "--root",
            &root,
            "--fail-over-us",
            "7500",
            "sites",
            "--limit",
            "1",
        ]);
        assert_eq!(result.unwrap(), Status::OverThreshold);
        assert_eq!(Status::OverThreshold.exit_code(), 1);
        assert_eq!(out.lines().count(), 2);
        assert_eq!(
            diag,
            "preemptstat: over 7500 us: any max 7.53 ms (7532054 ns) at worker_thread+0x253/0x2f0\n\
             preemptstat: over 7500 us: preempt max 7.53 ms (7532054 ns) at worker_thread+0x253/0x2f0\n\
             preemptstat: over 7500 us: wakeup cpu 0 thread max 8.91 ms (8911872 ns)\n\
             preemptstat: over 7500 us: wakeup cpu 0 irq max 8.79 ms (8793756 ns)\n\
             preemptstat: over 7500 us: wakeup cpu 1 thread max 9.32 ms (9318454 ns)\n\
             preemptstat: over 7500 us: wakeup cpu 1 irq max 9.15 ms (9153468 ns)\n"
        );
        // Exactly at the limit is not over it.
        let (result, _, diag) = run_args(&["--root", &root, "--fail-over-us", "9318", "hist"]);
        assert_eq!(result.unwrap(), Status::OverThreshold);
        assert_eq!(
            diag,
            "preemptstat: over 9318 us: wakeup cpu 1 thread max 9.32 ms (9318454 ns)\n"
        );
        let (result, _, diag) = run_args(&["--root", &root, "--fail-over-us", "9319", "log"]);
        assert_eq!(result.unwrap(), Status::Success);
        assert_eq!(diag, "");
    }

    #[test]
    fn wakeup_options() {
        assert_eq!(
            parse(&["wakeup"]).command,
            Some(Command::Wakeup(WakeupArgs::default()))
        );
        assert_eq!(
            parse(&["wakeup", "--hist", "--cpu", "1", "--json"]).command,
            Some(Command::Wakeup(WakeupArgs {
                hist: true,
                cpu: Some(1),
                json: true
            }))
        );
        for args in [
            &["wakeup", "--cpu"][..],
            &["wakeup", "--cpu", "-1"],
            &["wakeup", "--cpu", "x"],
        ] {
            let mut all = vec!["preemptstat"];
            all.extend_from_slice(args);
            assert!(Cli::try_parse_from(all).is_err(), "{args:?}");
        }
        let (result, out, _) = run_args(&["--root", &live(), "wakeup", "--cpu", "2"]);
        let err = result.unwrap_err();
        assert!(matches!(err, Error::NoSuchCpu { cpu: 2, .. }), "{err:?}");
        assert!(err.to_string().ends_with("(it lists CPUs 0, 1)"), "{err}");
        assert_eq!(out, "");
    }

    #[test]
    fn misplaced_flags_are_usage_errors() {
        let (result, out, _) = run_args(&["--json", "sites"]);
        let err = result.unwrap_err();
        assert!(matches!(err, Error::Usage { .. }), "{err:?}");
        assert_eq!(
            err.to_string(),
            "--json goes after the command: 'preemptstat sites --json' (see 'preemptstat --help')"
        );
        assert_eq!(out, "");
        let (result, _, _) = run_args(&["--fail-over-us", "5", "reset"]);
        assert_eq!(
            result.unwrap_err().to_string(),
            "--fail-over-us applies to read commands, not 'reset' (see 'preemptstat --help')"
        );
    }

    #[test]
    fn set_and_reset_write_through_the_source() {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in [
            ("version", "preemptstat debugfs format 2\n"),
            ("enable", "0\n"),
            ("threshold_us", "500\n"),
            ("wakeup_enable", "1\n"),
            ("period_us", "1000\n"),
            ("wakeup_threshold_us", "1000\n"),
            ("reset", ""),
        ] {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        let root = dir.path().to_str().unwrap();
        let read = |name| std::fs::read_to_string(dir.path().join(name)).unwrap();

        let (result, out, _) = run_args(&["--root", root, "set", "enable", "1"]);
        assert_eq!(result.unwrap(), Status::Success);
        assert_eq!(out, "enable = 1\n");
        assert_eq!(read("enable"), "1\n");

        let (result, out, _) = run_args(&["--root", root, "set", "threshold_us", "20"]);
        assert_eq!(result.unwrap(), Status::Success);
        assert_eq!(out, "threshold_us = 20\n");
        assert_eq!(read("threshold_us"), "20\n");

        let (result, out, _) = run_args(&["--root", root, "set", "threshold_us", "10000001"]);
        assert!(matches!(result, Err(Error::InvalidSetting { .. })));
        assert_eq!(out, "");
        assert_eq!(read("threshold_us"), "20\n");

        for (key, value) in [
            ("wakeup_enable", "0"),
            ("period_us", "100"),
            ("wakeup_threshold_us", "0"),
        ] {
            let (result, out, _) = run_args(&["--root", root, "set", key, value]);
            assert_eq!(result.unwrap(), Status::Success);
            assert_eq!(out, format!("{key} = {value}\n"));
            assert_eq!(read(key), format!("{value}\n"));
        }
        let (result, out, _) = run_args(&["--root", root, "set", "period_us", "99"]);
        assert!(matches!(result, Err(Error::InvalidSetting { .. })));
        assert_eq!(out, "");
        assert_eq!(read("period_us"), "100\n");

        let (result, out, _) = run_args(&["--root", root, "reset"]);
        assert_eq!(result.unwrap(), Status::Success);
        assert_eq!(out, "reset\n");
        assert_eq!(read("reset"), "1\n");
    }
}
