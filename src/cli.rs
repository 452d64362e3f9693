//! The command line: argument parsing, one function per command, and the exit codes
//! (0 success, 1 findings, 2 trouble), decided here and nowhere else.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context as _, Result};
use clap::{Args, CommandFactory as _, Parser, Subcommand, ValueEnum};

use crate::diagnostic::Diagnostic;
use crate::load::{load_file, LoadError, Loaded};
use crate::output::{self, Change};
use crate::render::{Renderer, TemplateSet};
use crate::source::Source;

const EXAMPLES: &str = "\
Examples:
  abc-failover init topology.yaml
  abc-failover validate topology.yaml
  abc-failover render topology.yaml -o out
  abc-failover check topology.yaml -o out
  abc-failover diff main:topology.yaml topology.yaml
  abc-failover import topology.xml -o topology.yaml
  abc-failover render topology.yaml -o out --set pools.dc1.replacement_pool.fqdn=pool-c.contoso.com

Exit codes: 0 success, 1 findings (invalid topology, stale or differing output), 2 trouble
(usage, unreadable file, template or I/O error).";

#[derive(Debug, Parser)]
#[command(
    name = "abc-failover",
    version,
    about = "Backup scripts and ABC failover restore checklists for Lync Server 2013 and Skype for Business Server Front End pools",
    after_help = EXAMPLES
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args, Clone, Default)]
pub struct Common {
    /// Override one topology value before validation, e.g. pools.dc1.replacement_pool.fqdn=pool-c.contoso.com (repeatable; the value is read as a YAML scalar)
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub sets: Vec<String>,
    /// Folder whose *.tera files replace the embedded templates of the same path, one file each (e.g. DIR/checklist/steps/14-call-park.md.tera); `templates list` shows the names
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum, Default)]
pub enum Format {
    #[default]
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write a commented starter topology
    #[command(after_help = "Example:\n  abc-failover init topology.yaml")]
    Init {
        /// Where to write it
        #[arg(default_value = "topology.yaml")]
        file: PathBuf,
        /// Overwrite an existing file
        #[arg(long)]
        force: bool,
    },
    /// Parse and check a topology; print every problem as FILE:LINE:COL: error: MESSAGE
    #[command(
        after_help = "Examples:\n  abc-failover validate topology.yaml\n  abc-failover validate topology.yaml --format json --deny-warnings"
    )]
    Validate {
        file: PathBuf,
        /// Output format of the problems
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Treat warnings as findings (exit 1)
        #[arg(long)]
        deny_warnings: bool,
        #[command(flatten)]
        common: Common,
    },
    /// Write each pool's backup script and restore checklist under OUT
    #[command(after_help = "Example:\n  abc-failover render topology.yaml -o out")]
    Render {
        file: PathBuf,
        /// Output folder
        #[arg(short, long, default_value = "out")]
        out: PathBuf,
        /// Output format of the report of written files
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        #[command(flatten)]
        common: Common,
    },
    /// Render in memory and compare with OUT (exit 1 when anything differs)
    #[command(after_help = "Example (in CI):\n  abc-failover check topology.yaml -o out")]
    Check {
        file: PathBuf,
        /// Output folder
        #[arg(short, long, default_value = "out")]
        out: PathBuf,
        /// Output format of the findings
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        #[command(flatten)]
        common: Common,
    },
    /// Render two topologies in memory and show what changes in the generated files
    ///
    /// OLD is rendered as if it had NEW's file name, so the generated headers do not differ.
    /// Either side may be REV:PATH, the file as it is in a git revision (read with `git show`;
    /// PATH from the repository root, or ./PATH from the current folder).
    #[command(
        after_help = "Examples:\n  abc-failover diff main:topology.yaml topology.yaml\n  abc-failover diff old/topology.yaml topology.yaml --stat --format json"
    )]
    Diff {
        /// The topology before the change: a file or REV:PATH
        old: PathBuf,
        /// The topology after the change: a file or REV:PATH
        new: PathBuf,
        /// Counts per pool only
        #[arg(long)]
        stat: bool,
        /// Output format of the counts (json needs --stat)
        #[arg(long, value_enum, default_value_t = Format::Text, requires = "stat")]
        format: Format,
        #[command(flatten)]
        common: Common,
    },
    /// Write a topology file from the deployment's topology document, or compare one with it
    #[command(
        after_help = "Examples:\n  abc-failover import topology.xml -o topology.yaml\n  abc-failover import 'D:\\AbcBackup\\dc1\\20260101T020000Z' -o topology.yaml\n  abc-failover import Topology.xml --compare topology.yaml --format json\n\nDOCUMENT is the output of (Get-CsTopology -AsXml).ToString(), a Topology Builder .tbxml file,\nor a backup set folder (its Inventory\\Topology.xml and pairing and CMS inventory files)."
    )]
    Import {
        /// The topology document or backup set folder
        document: PathBuf,
        /// Where to write the topology file
        #[arg(
            short,
            long,
            default_value = "topology.yaml",
            conflicts_with = "compare"
        )]
        out: PathBuf,
        /// Overwrite an existing file
        #[arg(long, conflicts_with = "compare")]
        force: bool,
        /// Compare this committed topology with the document instead (exit 1 when they differ)
        #[arg(long, value_name = "TOPOLOGY")]
        compare: Option<PathBuf>,
        /// Output format of the differences (with --compare)
        #[arg(long, value_enum, default_value_t = Format::Text, requires = "compare")]
        format: Format,
    },
    /// Print the JSON Schema of the topology file
    #[command(after_help = "Example:\n  abc-failover schema > topology.schema.json")]
    Schema,
    /// Print a shell completion script
    #[command(
        after_help = "Examples:\n  abc-failover completions powershell >> $PROFILE\n  abc-failover completions bash > /etc/bash_completion.d/abc-failover\n  abc-failover completions zsh > \"${fpath[1]}/_abc-failover\"\n  abc-failover completions fish > ~/.config/fish/completions/abc-failover.fish"
    )]
    Completions { shell: clap_complete::Shell },
    /// Print the manual page (roff), or write one page per command into DIR
    #[command(
        after_help = "Examples:\n  abc-failover man > abc-failover.1 && man -l abc-failover.1\n  abc-failover man --dir /usr/local/share/man/man1"
    )]
    Man {
        /// Write abc-failover.1 and abc-failover-COMMAND.1 for each command into DIR instead
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// List or export the embedded templates
    #[command(
        subcommand,
        after_help = "Examples:\n  abc-failover templates list\n  abc-failover templates export my-templates\n  abc-failover render topology.yaml -o out --templates my-templates\n\nA file under the --templates folder replaces the embedded template of the same path, and only\nthat one: keep just the files you change (for example checklist/steps/14-call-park.md.tera)."
    )]
    Templates(TemplatesCommand),
}

#[derive(Debug, Subcommand)]
pub enum TemplatesCommand {
    /// List the embedded template tree: one path per line, in the form --templates expects
    List,
    /// Copy the embedded templates to DIR for customising (never overwrites)
    Export { dir: PathBuf },
}

/// How a command that ran ended; trouble (exit 2) is an `anyhow::Error` instead.
enum Outcome {
    Ok,
    Findings,
    /// Trouble (exit 2) whose message, already in `FILE: error: ...` form, has been printed.
    Reported,
}

/// A loaded topology, or the findings already printed (exit 1).
type Loading<T> = std::result::Result<T, Outcome>;

/// Write to stdout. A reader that went away (`abc-failover check | head`) is not an error: the
/// exit code still says what was found.
fn emit(text: std::fmt::Arguments<'_>) -> Result<()> {
    match std::io::stdout().lock().write_fmt(text) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => Ok(r?),
    }
}

macro_rules! emit {
    ($($arg:tt)*) => { emit(format_args!($($arg)*)) };
}

macro_rules! emitln {
    ($($arg:tt)*) => { emit(format_args!("{}\n", format_args!($($arg)*))) };
}

fn color_enabled() -> bool {
    use_color(
        std::env::var_os("NO_COLOR").as_deref(),
        std::io::stdout().is_terminal(),
    )
}

/// Colour only on a terminal, and never while `NO_COLOR` is set (to anything, even empty).
fn use_color(no_color: Option<&std::ffi::OsStr>, stdout_is_terminal: bool) -> bool {
    no_color.is_none() && stdout_is_terminal
}

fn print_diagnostics(diags: &[Diagnostic]) {
    for d in diags {
        eprintln!("{d}");
    }
}

/// Load a topology, printing its warnings. Findings are printed and returned as `Err(Findings)`
/// inside `Ok`; an unreadable file is trouble.
fn load(file: &Path, sets: &[String]) -> Result<Loading<Loaded>> {
    match load_file(file, sets) {
        Ok(l) => {
            print_diagnostics(&l.warnings);
            Ok(Ok(l))
        }
        Err(e) => Ok(Err(report_load_error(
            &file.display().to_string(),
            e,
            "generated",
        ))),
    }
}

/// Print why a topology did not load (its findings, or why it could not be read) and give the
/// outcome: findings, or reported trouble. `what` ends "nothing was ...".
fn report_load_error(shown: &str, e: LoadError, what: &str) -> Outcome {
    match e {
        LoadError::Invalid(diags) => {
            print_diagnostics(&diags);
            let n = diags.iter().filter(|d| d.is_error()).count();
            eprintln!("{shown}: {n} error(s); nothing was {what}");
            Outcome::Findings
        }
        e @ LoadError::Unreadable { .. } => {
            eprintln!("{e}");
            Outcome::Reported
        }
    }
}

/// Refuse to overwrite an existing file without `--force` (reported trouble).
fn refuse_overwrite(file: &Path, force: bool) -> Option<Outcome> {
    if file.exists() && !force {
        eprintln!(
            "{}: error: the file exists; use --force to overwrite it",
            file.display()
        );
        return Some(Outcome::Reported);
    }
    None
}

fn renderer(common: &Common) -> Result<Renderer> {
    let set = match &common.templates {
        Some(dir) => TemplateSet::with_overrides(dir)?,
        None => TemplateSet::embedded(),
    };
    Ok(Renderer::new(&set)?)
}

/// Everything `render` would write, lock file included, or the findings.
fn render_with_lock(file: &Path, common: &Common) -> Result<Loading<crate::render::Artifacts>> {
    let loaded = match load(file, &common.sets)? {
        Ok(l) => l,
        Err(o) => return Ok(Err(o)),
    };
    let artifacts = renderer(common)?.render_all(&loaded)?;
    Ok(Ok(output::with_lock(artifacts, &loaded, &common.sets)))
}

fn run(cli: Cli) -> Result<Outcome> {
    match cli.command {
        Command::Init { file, force } => init(&file, force),
        Command::Validate {
            file,
            format,
            deny_warnings,
            common,
        } => validate(&file, format, deny_warnings, &common),
        Command::Render {
            file,
            out,
            format,
            common,
        } => render(&file, &out, format, &common),
        Command::Check {
            file,
            out,
            format,
            common,
        } => check(&file, &out, format, &common),
        Command::Diff {
            old,
            new,
            stat,
            format,
            common,
        } => diff(&old, &new, stat, format, &common),
        Command::Import {
            document,
            out,
            force,
            compare,
            format,
        } => match compare {
            Some(topology) => import_compare(&document, &topology, format),
            None => import(&document, &out, force),
        },
        Command::Completions { shell } => {
            emit!("{}", completions(shell))?;
            Ok(Outcome::Ok)
        }
        Command::Man { dir: None } => {
            let mut buf = Vec::new();
            // As generate_to does: no page for `help`, so the page lists none.
            let cmd = Cli::command().disable_help_subcommand(true);
            clap_mangen::Man::new(cmd).render(&mut buf)?;
            emit!("{}", String::from_utf8_lossy(&buf))?;
            Ok(Outcome::Ok)
        }
        Command::Man { dir: Some(dir) } => {
            std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
            clap_mangen::generate_to(Cli::command(), &dir)
                .with_context(|| format!("writing manual pages into {}", dir.display()))?;
            Ok(Outcome::Ok)
        }
        Command::Schema => {
            emit(format_args!("{}\n", crate::schema::schema_json()))?;
            Ok(Outcome::Ok)
        }
        Command::Templates(TemplatesCommand::List) => {
            for name in TemplateSet::embedded().files.keys() {
                emit(format_args!("{name}\n"))?;
            }
            Ok(Outcome::Ok)
        }
        Command::Templates(TemplatesCommand::Export { dir }) => export_templates(&dir),
    }
}

/// The completion script for `shell`. clap_complete's PowerShell script filters its candidates
/// with the `.Where{}` method, which needs PowerShell 4.0 (the Lync 2013 servers this tool
/// serves may run 3.0); the pipeline form does the same on 3.0. The tests check that no
/// `.Where{` is left, so a changed clap_complete line cannot slip through.
fn completions(shell: clap_complete::Shell) -> String {
    const WHERE_METHOD: &str =
        "$completions.Where{ $_.CompletionText -like \"$wordToComplete*\" } |";
    const WHERE_PIPELINE: &str =
        "$completions | Where-Object { $_.CompletionText -like \"$wordToComplete*\" } |";
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "abc-failover", &mut buf);
    let script = String::from_utf8_lossy(&buf).into_owned();
    match shell {
        clap_complete::Shell::PowerShell => {
            debug_assert!(script.contains(WHERE_METHOD), "clap_complete changed");
            script.replace(WHERE_METHOD, WHERE_PIPELINE)
        }
        _ => script,
    }
}

fn init(file: &Path, force: bool) -> Result<Outcome> {
    if let Some(refused) = refuse_overwrite(file, force) {
        return Ok(refused);
    }
    std::fs::write(file, crate::starter::STARTER_TOPOLOGY)
        .with_context(|| format!("writing {}", file.display()))?;
    eprintln!(
        "wrote {}; edit it, then run: abc-failover validate {}",
        file.display(),
        file.display()
    );
    Ok(Outcome::Ok)
}

/// Import a document, printing its warnings; a malformed document is printed as findings.
fn import_document(document: &Path) -> Result<Loading<crate::import::Imported>> {
    use crate::import::ImportError;
    match crate::import::import(document) {
        Ok(imported) => {
            print_diagnostics(&imported.warnings);
            Ok(Ok(imported))
        }
        Err(ImportError::Invalid(d)) => {
            eprintln!("{d}");
            eprintln!("{}: nothing was imported", document.display());
            Ok(Err(Outcome::Findings))
        }
        Err(e @ ImportError::Unreadable { .. }) => {
            eprintln!("{e}");
            Ok(Err(Outcome::Reported))
        }
    }
}

fn import(document: &Path, out: &Path, force: bool) -> Result<Outcome> {
    if let Some(refused) = refuse_overwrite(out, force) {
        return Ok(refused);
    }
    let imported = match import_document(document)? {
        Ok(i) => i,
        Err(o) => return Ok(o),
    };
    if imported.pools.is_empty() {
        eprintln!(
            "{}: error: the document has no Front End pool, so there is no topology to write; nothing was written",
            document.display()
        );
        return Ok(Outcome::Findings);
    }
    let name = crate::load::file_name(out);
    let written =
        crate::import::write::write(&imported, name.as_deref().unwrap_or("topology.yaml"));
    std::fs::write(out, &written.text).with_context(|| format!("writing {}", out.display()))?;
    for f in &written.fills {
        eprintln!(
            "{}:{}: fill in {}: {}",
            out.display(),
            f.line,
            f.set_path,
            f.what
        );
    }
    eprintln!(
        "wrote {} ({} pool(s)); {} value(s) to fill in (in the file or with --set PATH=VALUE), then run: abc-failover validate {}",
        out.display(),
        imported.pools.len(),
        written.fills.len(),
        out.display()
    );
    Ok(Outcome::Ok)
}

fn import_compare(document: &Path, topology: &Path, format: Format) -> Result<Outcome> {
    let imported = match import_document(document)? {
        Ok(i) => i,
        Err(o) => return Ok(o),
    };
    let loaded = match load(topology, &[])? {
        Ok(l) => l,
        Err(o) => return Ok(o),
    };
    let diffs = crate::import::compare::compare(&imported, &loaded.topology);
    match format {
        Format::Json => emitln!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "document": document.display().to_string(),
                "topology": topology.display().to_string(),
                "differences": diffs,
            }))?
        )?,
        Format::Text => {
            for d in &diffs {
                emitln!("{d}")?;
            }
        }
    }
    if diffs.is_empty() {
        eprintln!("{}: matches {}", topology.display(), document.display());
        Ok(Outcome::Ok)
    } else {
        eprintln!(
            "{}: {} difference(s) from {}",
            topology.display(),
            diffs.len(),
            document.display()
        );
        Ok(Outcome::Findings)
    }
}

fn validate(file: &Path, format: Format, deny_warnings: bool, common: &Common) -> Result<Outcome> {
    let (diags, outcome) = match load_file(file, &common.sets) {
        Ok(l) => {
            let o = if deny_warnings && !l.warnings.is_empty() {
                Outcome::Findings
            } else {
                Outcome::Ok
            };
            (l.warnings, o)
        }
        Err(LoadError::Invalid(d)) => (d, Outcome::Findings),
        Err(e @ LoadError::Unreadable { .. }) => {
            eprintln!("{e}");
            return Ok(Outcome::Reported);
        }
    };
    match format {
        Format::Json => emit(format_args!("{}\n", serde_json::to_string_pretty(&diags)?))?,
        Format::Text => {
            print_diagnostics(&diags);
            if let Outcome::Ok = outcome {
                eprintln!("{}: valid", file.display());
            }
        }
    }
    Ok(outcome)
}

fn render(file: &Path, out: &Path, format: Format, common: &Common) -> Result<Outcome> {
    let artifacts = match render_with_lock(file, common)? {
        Ok(a) => a,
        Err(o) => return Ok(o),
    };
    let report = output::write(out, &artifacts)?;
    match format {
        Format::Json => {
            let files: Vec<_> = report
                .iter()
                .map(|(rel, change)| serde_json::json!({ "path": rel, "change": change.word() }))
                .collect();
            let doc = serde_json::json!({ "out": out.display().to_string(), "files": files });
            emitln!("{}", serde_json::to_string_pretty(&doc)?)?;
        }
        Format::Text => {
            for (rel, change) in &report {
                emitln!("{:<9} {}", change.word(), out.join(rel).display())?;
            }
        }
    }
    let changed = report
        .iter()
        .filter(|(_, c)| *c != Change::Unchanged)
        .count();
    eprintln!("{} file(s), {changed} written or removed", report.len());
    Ok(Outcome::Ok)
}

fn check(file: &Path, out: &Path, format: Format, common: &Common) -> Result<Outcome> {
    let artifacts = match render_with_lock(file, common)? {
        Ok(a) => a,
        Err(o) => return Ok(o),
    };
    let report = output::check(out, &artifacts)?;
    for note in &report.notes {
        eprintln!("{note}");
    }
    let command = render_command(file, out, common);
    if let Format::Json = format {
        let doc = serde_json::json!({
            "out": out.display().to_string(),
            "up_to_date": report.is_clean(),
            "findings": report.findings,
            "notes": report.notes,
            "render_command": if report.is_clean() { None } else { Some(&command) },
        });
        emitln!("{}", serde_json::to_string_pretty(&doc)?)?;
    }
    if report.is_clean() {
        eprintln!("{}: up to date", out.display());
        return Ok(Outcome::Ok);
    }
    if let Format::Text = format {
        let color = color_enabled();
        for d in report.diffs() {
            emit!("{}", paint(d, color))?;
        }
        for f in &report.findings {
            emitln!("{}", f.line())?;
        }
    }
    eprintln!(
        "{} is stale: run `{command}` and commit the result",
        out.display()
    );
    Ok(Outcome::Findings)
}

/// The `render` command line with the same arguments as this `check` (overrides and custom
/// templates included: without them the render would differ from what check compared).
fn render_command(file: &Path, out: &Path, common: &Common) -> String {
    let mut words = vec![
        "abc-failover".to_string(),
        "render".into(),
        shell_word(&file.display().to_string()),
        "-o".into(),
        shell_word(&out.display().to_string()),
    ];
    for set in &common.sets {
        words.push("--set".into());
        words.push(shell_word(set));
    }
    if let Some(dir) = &common.templates {
        words.push("--templates".into());
        words.push(shell_word(&dir.display().to_string()));
    }
    words.join(" ")
}

/// `s` as one POSIX shell word: unchanged when it holds only safe characters, else single-quoted.
fn shell_word(s: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "-_./:=@,+".contains(c);
    if !s.is_empty() && s.chars().all(safe) {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// Load both sides of a diff, OLD under NEW's file name, and print each warning once, saying
/// which side has it.
fn load_sides(old: &Source, new: &Source, sets: &[String]) -> Result<Loading<[Loaded; 2]>> {
    let name = new.name();
    let mut loaded = Vec::new();
    for side in [old, new] {
        match side.load(&name, sets) {
            Ok(l) => loaded.push(l),
            Err(e) => return Ok(Err(report_load_error(&side.shown(), e, "compared"))),
        }
    }
    let [o, n]: [Loaded; 2] = loaded.try_into().expect("two sides");
    // The same warning on both sides (positions may differ) is printed once, at NEW's place.
    let key = |d: &Diagnostic| (d.severity, d.message.clone(), d.help.clone());
    let in_old: Vec<_> = o.warnings.iter().map(key).collect();
    let in_new: Vec<_> = n.warnings.iter().map(key).collect();
    for d in &n.warnings {
        let side = if in_old.contains(&key(d)) {
            "old and new"
        } else {
            "new only"
        };
        print_side_warning(d, side);
    }
    for d in o.warnings.iter().filter(|d| !in_new.contains(&key(d))) {
        print_side_warning(d, "old only");
    }
    Ok(Ok([o, n]))
}

fn print_side_warning(d: &Diagnostic, side: &str) {
    let mut d = d.clone();
    d.message = format!("{} (in {side})", d.message);
    eprintln!("{d}");
}

fn diff(old: &Path, new: &Path, stat: bool, format: Format, common: &Common) -> Result<Outcome> {
    let renderer = renderer(common)?;
    let (old, new) = (Source::parse(old), Source::parse(new));
    let [o, n] = match load_sides(&old, &new, &common.sets)? {
        Ok(sides) => sides,
        Err(outcome) => return Ok(outcome),
    };
    let (diffs, stats) = output::diff(&renderer.render_all(&o)?, &renderer.render_all(&n)?);
    let outcome = if diffs.is_empty() {
        Outcome::Ok
    } else {
        Outcome::Findings
    };
    if let Format::Json = format {
        let pools: Vec<_> = stats
            .iter()
            .map(|(pool, s)| serde_json::json!({ "pool": pool, "files_changed": s.files_changed, "insertions": s.added_lines, "deletions": s.removed_lines }))
            .collect();
        let doc = serde_json::json!({ "changed": !diffs.is_empty(), "pools": pools });
        emitln!("{}", serde_json::to_string_pretty(&doc)?)?;
        return Ok(outcome);
    }
    let color = color_enabled();
    if !stat {
        for d in &diffs {
            emit!("{}", paint(d, color))?;
        }
    }
    for (pool, s) in &stats {
        if s.files_changed == 0 {
            emitln!("{pool}: no change")?;
        } else {
            emitln!(
                "{pool}: {} file(s) changed, {} insertion(s)(+), {} deletion(s)(-)",
                s.files_changed,
                s.added_lines,
                s.removed_lines
            )?;
        }
    }
    Ok(outcome)
}

fn export_templates(dir: &Path) -> Result<Outcome> {
    let set = TemplateSet::embedded();
    for name in set.files.keys() {
        if dir.join(name).exists() {
            bail!(
                "{}: exists; nothing was exported (export never overwrites)",
                dir.join(name).display()
            );
        }
    }
    for (name, (text, _)) in &set.files {
        let path = dir.join(name);
        let folder = path.parent().unwrap_or(dir);
        std::fs::create_dir_all(folder)
            .with_context(|| format!("creating {}", folder.display()))?;
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
        emit(format_args!("{}\n", path.display()))?;
    }
    Ok(Outcome::Ok)
}

/// One file's unified diff with ANSI colours when `color`: the `---`/`+++` file header (the lines
/// before the first hunk) bold, removed lines red, added lines green, hunk headers cyan.
fn paint(diff: &str, color: bool) -> String {
    if !color {
        return diff.to_string();
    }
    let mut in_header = true;
    diff.lines()
        .map(|l| {
            if l.starts_with("@@") {
                in_header = false;
            }
            let code = if in_header && (l.starts_with("+++") || l.starts_with("---")) {
                "1"
            } else if l.starts_with("@@") {
                "36"
            } else if l.starts_with('+') {
                "32"
            } else if l.starts_with('-') {
                "31"
            } else {
                return format!("{l}\n");
            };
            format!("\x1b[{code}m{l}\x1b[0m\n")
        })
        .collect()
}

/// Parse the command line, run, and turn the outcome into the process exit code:
/// 0 success, 1 findings, 2 trouble.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match run(cli) {
        Ok(Outcome::Ok) => ExitCode::SUCCESS,
        Ok(Outcome::Findings) => ExitCode::from(1),
        Ok(Outcome::Reported) => ExitCode::from(2),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_words_quote_only_what_needs_it() {
        assert_eq!(shell_word("out/dc-1"), "out/dc-1");
        assert_eq!(shell_word("my out"), "'my out'");
        assert_eq!(shell_word("it's"), r"'it'\''s'");
        assert_eq!(shell_word(""), "''");
    }

    #[test]
    fn colour_only_on_a_terminal_and_never_with_no_color() {
        use std::ffi::OsStr;
        assert!(use_color(None, true));
        assert!(!use_color(None, false));
        assert!(!use_color(Some(OsStr::new("1")), true));
        assert!(!use_color(Some(OsStr::new("")), true));
    }

    #[test]
    fn a_removed_markdown_rule_is_painted_as_a_removal_not_a_header() {
        let d = "--- a/x.md\n+++ b/x.md\n@@ -1,2 +1,2 @@\n a\n----\n++++ b\n";
        let p = paint(d, true);
        assert!(p.contains("\x1b[1m--- a/x.md"), "{p:?}");
        assert!(p.contains("\x1b[31m----\x1b[0m"), "{p:?}");
        assert!(p.contains("\x1b[32m++++ b\x1b[0m"), "{p:?}");
        assert_eq!(paint(d, false), d);
    }
}
