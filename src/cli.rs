//! The command line: raw arguments (clap) kept apart from the validated `Options` the
//! library runs on. Printing happens here and in the renderers only.

use crate::date::Date;
use crate::render::{self, Format, Style};
use crate::{Options, exit};
use anyhow::{Context as _, Result, bail};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

const ABOUT: &str = "Every incident leaves a regression test behind, and the pipeline keeps it there.";
const LONG_ABOUT: &str = "\
Every incident leaves a regression test behind, and the pipeline keeps it there.

incident-guard reads the postmortems in a repository (postmortems/ by default), finds the
tests linked to them by a marker comment (`// incident: INC-2024-017` above a test), and
fails when an incident has no regression test, when a linked test is disabled, or when a
marker or postmortem is broken.

Exit status: 0 no finding at error level, 1 at least one, 2 the tool could not run.";

#[derive(Debug, Parser)]
#[command(name = "incident-guard", version, about = ABOUT, long_about = LONG_ABOUT, args_override_self = true)]
pub struct Cli {
    /// Read this config file instead of incident-guard.toml at the repository root
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Output format
    #[arg(long, global = true, value_enum, value_name = "FORMAT")]
    pub format: Option<Format>,
    /// When to colour human output (NO_COLOR is honoured by `auto`)
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check every rule and report the findings (exit 1 if any is an error)
    Check(CheckArgs),
    /// List incidents with their linked tests and action items
    List(ListArgs),
    /// Show one incident: its tests, action items and findings
    Show(ShowArgs),
    /// Explain a rule: what it checks, why it matters, how to fix or waive it
    Explain(ExplainArgs),
    /// Start a new postmortem from the template, with the next free incident ID
    New(NewArgs),
    /// Set a repository up: config, postmortems/ with a template and README, a workflow
    Init(InitArgs),
    /// Is the team learning? Coverage, action items, time to detect and recover
    Stats(PathArgs),
    /// Prove each linked test catches its incident: it fails without the fix, passes with it
    Verify(VerifyArgs),
    /// Render a JSON report of `check` and/or `verify` again, after validating it
    /// (markdown, human or github): for steps that must not trust the code that wrote it
    #[command(long_about = RENDER_ABOUT)]
    Render(RenderArgs),
}

const RENDER_ABOUT: &str = "\
Render a JSON report of `check` and/or `verify` again, after validating it.

REPORT is the document `check --format json` writes; --verify VERIFY the one `verify --format
json` writes; give either or both. Each is validated strictly before anything is printed: a
regular file of at most 16 MiB, valid JSON of version 1, every field with its type, every rule,
level and outcome one that incident-guard knows. It is then rendered by the same renderers as
`check` and `verify` (`--format markdown`, `human` or `github`), so that its text goes through
their escaping; the verdict is recomputed from the findings, not read from the summary. With
both files, the verify section follows the check's report.

Exit status: 0 no finding at error level, 1 a finding at error level or a test that fails
with its fix, 2 an input is invalid (nothing is printed then).";

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("input").required(true).multiple(true).args(["report", "verify"])))]
pub struct RenderArgs {
    /// A JSON report written by `check --format json`
    #[arg(value_name = "REPORT.json")]
    pub report: Option<PathBuf>,
    /// A JSON report written by `verify --format json`
    #[arg(long, value_name = "VERIFY.json")]
    pub verify: Option<PathBuf>,
    /// Write the output to FILE instead of standard output (an existing symlink is refused)
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Also write the proofs of the --verify report to FILE, as `verify --record` would
    /// write them into verified.lock (an existing symlink is refused)
    #[arg(long, value_name = "FILE", requires = "verify")]
    pub proofs: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Incident IDs to verify [default: every incident]
    pub ids: Vec<String>,
    /// Only this linked test (its identity, as `show ID` lists it)
    #[arg(long, value_name = "TEST_ID")]
    pub test: Option<String>,
    /// Only the links the change adds or edits, compared with the base revision
    #[arg(long)]
    pub changed: bool,
    /// Compare with this revision for `--changed` [default: as `check`]
    #[arg(long, value_name = "REV")]
    pub base: Option<String>,
    /// How many tests to verify at once
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub jobs: usize,
    /// Seconds one run of a test may take [default: `[verify] timeout`, else 600]
    #[arg(long, value_name = "SECS")]
    pub timeout: Option<u64>,
    /// Run the test "with the fix" at HEAD instead of at the fix commit
    #[arg(long)]
    pub at_head: bool,
    /// Write the outcomes to the lock file beside the postmortems (verified.lock)
    #[arg(long)]
    pub record: bool,
    /// Seconds for the whole run: tests not started by then are reported as skipped
    #[arg(long, value_name = "SECS")]
    pub budget: Option<u64>,
    /// Run no test: drop the entries of verified.lock whose incident or test no longer
    /// exists (or whose test no longer names the incident), and say which
    #[arg(long, conflicts_with_all = ["ids", "test", "changed", "base", "timeout", "at_head", "record", "budget"])]
    pub prune: bool,
    /// With --prune: say what would be dropped, and write nothing
    #[arg(long, requires = "prune")]
    pub dry_run: bool,
    /// A directory inside the repository [default: the current directory]
    #[arg(long, value_name = "DIR")]
    pub path: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A rule code, e.g. missing-regression-test (omit to list every rule)
    pub rule: Option<String>,
}

#[derive(Debug, Args)]
pub struct NewArgs {
    /// The incident's title (one line)
    #[arg(long)]
    pub title: String,
    /// Its severity, e.g. SEV2
    #[arg(long)]
    pub severity: Option<String>,
    /// When it began (YYYY-MM-DD) [default: today]
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub date: Option<Date>,
    /// A directory inside the repository [default: the current directory]
    pub path: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The repository to set up [default: the current directory]
    pub path: Option<PathBuf>,
    /// Overwrite files that already exist
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct PathArgs {
    /// A directory inside the repository [default: the current directory]
    pub path: Option<PathBuf>,
    /// Measure "overdue" against this date (YYYY-MM-DD) instead of today
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub today: Option<Date>,
    /// Do not read git history: skip the history checks silently
    #[arg(long)]
    pub no_git: bool,
    /// Remember in DIR which commits name which action items, so that the next run reads
    /// only the commits made since (the Action keeps DIR with actions/cache)
    #[arg(long, value_name = "DIR")]
    pub cache: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub common: PathArgs,
    /// Compare linked tests with this revision [default: the pull request's base, else
    /// the merge base with origin/HEAD, origin/main, origin/master, main or master]
    #[arg(long, value_name = "REV")]
    pub base: Option<String>,
    /// Write the report to FILE instead of standard output; FORMAT=FILE (repeatable) also
    /// writes the report in FORMAT to FILE, from the same run
    #[arg(long, short, value_name = "[FORMAT=]FILE", value_parser = parse_output)]
    pub output: Vec<OutputArg>,
    /// Which errors fail the run: `all`, or only the `new` ones this change brings in
    /// (compared with the base revision; without a base every finding is new)
    /// [default: `fail_on` in the config, else all]
    #[arg(long, value_enum, value_name = "WHICH")]
    pub fail_on: Option<FailOnArg>,
    #[command(flatten)]
    pub results: ResultsArgs,
}

/// `--fail-on`'s values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOnArg {
    /// Fail on any error
    All,
    /// Fail only on errors this change brings in
    New,
}

/// The test results a command reads, beside the config's `test_results`.
#[derive(Debug, Args)]
pub struct ResultsArgs {
    /// Results of the test run before this check: JUnit XML, `go test -json` or libtest
    /// JSON files, or quoted globs (`'reports/**/*.xml'`); each must match a file. Give
    /// PATH before this option: it takes every value that follows
    #[arg(long, value_name = "PATH", num_args = 1..)]
    pub test_results: Vec<String>,
    /// Read no test results, not even the config's `test_results` (for a run before the
    /// tests, such as a pre-commit hook)
    #[arg(long, conflicts_with = "test_results")]
    pub no_test_results: bool,
}

impl ResultsArgs {
    fn apply(&self, options: &mut Options) {
        options.test_results = self.test_results.clone();
        options.no_test_results = self.no_test_results;
    }
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub common: PathArgs,
    #[command(flatten)]
    pub results: ResultsArgs,
}

/// One `--output`: a plain FILE takes the `--format` report off standard output;
/// FORMAT=FILE writes one more format. A value whose part before `=` is not a format name
/// is a plain file name (`--output a=b.txt`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OutputArg {
    Main(PathBuf),
    Also(Format, PathBuf),
}

fn parse_output(s: &str) -> Result<OutputArg, String> {
    if let Some((name, file)) = s.split_once('=')
        && let Ok(format) = Format::from_str(name, true)
    {
        if file.is_empty() {
            return Err(format!("`{s}` names no file after `{name}=`"));
        }
        return Ok(OutputArg::Also(format, PathBuf::from(file)));
    }
    if s.is_empty() {
        return Err("an empty file name".to_owned());
    }
    Ok(OutputArg::Main(PathBuf::from(s)))
}

/// Where `check` writes: `main` is the `--format` report's file (standard output when
/// `None`), `also` the other formats, each rendered from the same report.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Outputs {
    pub main: Option<PathBuf>,
    pub also: Vec<(Format, PathBuf)>,
}

impl Outputs {
    /// Validates the `--output` values: one plain FILE at most, and no file named twice
    /// (two reports into one file would leave only the last).
    pub fn from_args(args: &[OutputArg]) -> Result<Outputs> {
        let mut outputs = Outputs::default();
        let mut seen: Vec<&PathBuf> = Vec::new();
        for arg in args {
            let file = match arg {
                OutputArg::Main(file) => {
                    if let Some(first) = &outputs.main {
                        bail!(
                            "`--output` names two files for the `--format` report (`{}` and `{}`); write the other formats with `--output FORMAT=FILE`",
                            first.display(),
                            file.display()
                        );
                    }
                    outputs.main = Some(file.clone());
                    file
                }
                OutputArg::Also(format, file) => {
                    outputs.also.push((*format, file.clone()));
                    file
                }
            };
            if seen.contains(&file) {
                bail!("`--output` names `{}` twice; each report needs a file of its own", file.display());
            }
            seen.push(file);
        }
        Ok(outputs)
    }
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The incident ID, e.g. INC-2024-017
    pub id: String,
    #[command(flatten)]
    pub common: PathArgs,
    #[command(flatten)]
    pub results: ResultsArgs,
}

fn parse_date(s: &str) -> Result<Date, String> {
    Date::parse(s).ok_or_else(|| format!("`{s}` is not a date in the form YYYY-MM-DD"))
}

impl PathArgs {
    fn options(&self, config: &Option<PathBuf>) -> Options {
        Options {
            path: self.path.clone().unwrap_or_else(|| PathBuf::from(".")),
            config: config.clone(),
            today: self.today,
            git: crate::git::GitOptions {
                disabled: self.no_git,
                base: None,
                event_path: std::env::var_os("GITHUB_EVENT_PATH").filter(|p| !p.is_empty()).map(PathBuf::from),
                cache: self.cache.clone(),
            },
            test_results: Vec::new(),
            // Only the commands that take `ResultsArgs` read test results.
            no_test_results: true,
            compare_base: false,
            fail_on: None,
        }
    }
}

fn style(choice: ColorChoice, to_terminal: bool) -> Style {
    let color = match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => to_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    };
    Style { color, link_base: github_link_base(), paths_from: None }
}

/// Human output prints paths relative to the current directory, as cargo does.
fn located(mut style: Style, report: &crate::report::Report) -> Style {
    style.paths_from =
        std::env::current_dir().ok().and_then(|d| d.canonicalize().ok()).map(|cwd| (cwd, report.repo_root.clone()));
    style
}

/// `https://github.com/OWNER/REPO/blob/SHA` inside GitHub Actions, for file links in
/// Markdown reports.
fn github_link_base() -> Option<String> {
    let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let server = var("GITHUB_SERVER_URL").unwrap_or_else(|| "https://github.com".to_owned());
    Some(format!("{server}/{}/blob/{}", var("GITHUB_REPOSITORY")?, var("GITHUB_SHA")?))
}

/// Appends the Markdown report to the job summary, when GitHub provides one.
fn write_step_summary(report: &crate::report::Report, style: &Style) -> Result<()> {
    let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) else { return Ok(()) };
    let doc = render::markdown::document(report, style, render::markdown::SUMMARY_LIMIT);
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .with_context(|| format!("cannot open the job summary {}", PathBuf::from(&path).display()))?;
    file.write_all(doc.as_bytes())?;
    Ok(())
}

fn explain(args: &ExplainArgs) -> Result<u8> {
    use crate::rules::Rule;
    let mut out = std::io::stdout().lock();
    let Some(code) = &args.rule else {
        for r in Rule::ALL {
            let level = if r.opt_in() { "off" } else { r.default_level().as_str() };
            writeln!(out, "{:<36} {:<8} {}", r.code(), level, r.summary())?;
        }
        return Ok(exit::OK);
    };
    let Some(rule) = Rule::from_code(code) else {
        let mut near = crate::suggest::did_you_mean(code, Rule::ALL.iter().map(|r| r.code()));
        if near.is_empty() {
            // No close spelling: offer the rules that share a word with the query.
            let words: Vec<String> =
                code.split(['-', '_', ' ']).filter(|w| w.len() > 2).map(str::to_ascii_lowercase).collect();
            let shared = |c: &str| words.iter().filter(|w| c.split('-').any(|p| p == w.as_str())).count();
            let most = Rule::ALL.iter().map(|r| shared(r.code())).max().unwrap_or(0);
            let related: Vec<String> = Rule::ALL
                .iter()
                .map(|r| r.code())
                .filter(|c| most > 0 && shared(c) == most)
                .take(3)
                .map(|c| format!("`{c}`"))
                .collect();
            near = match related.len() {
                0 => near,
                1 => format!("did you mean {}?", related[0]),
                _ => format!("did you mean one of {}?", related.join(", ")),
            };
        }
        bail!(
            "no rule is called `{code}`{}; `incident-guard explain` lists them",
            if near.is_empty() { String::new() } else { format!("; {near}") }
        );
    };
    if rule.opt_in() {
        writeln!(
            out,
            "{} (default level: off; opt in with `{} = \"{}\"` in [rules])\n",
            rule.code(),
            rule.code(),
            rule.default_level()
        )?;
    } else {
        writeln!(out, "{} (default level: {})\n", rule.code(), rule.default_level())?;
    }
    writeln!(out, "{}\n", wrap(rule.summary(), 88))?;
    writeln!(out, "{}", wrap(rule.explain(), 88))?;
    Ok(exit::OK)
}

/// `text` broken into lines of at most `width` characters, at spaces.
fn wrap(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line_len = 0;
    for word in text.split(' ') {
        let len = word.chars().count();
        if line_len > 0 && line_len + 1 + len > width {
            out.push('\n');
            line_len = 0;
        } else if line_len > 0 {
            out.push(' ');
            line_len += 1;
        }
        out.push_str(word);
        line_len += len;
    }
    out
}

fn new_postmortem(args: &NewArgs, config_path: &Option<PathBuf>) -> Result<u8> {
    use crate::authoring;
    authoring::check_title(&args.title)?;
    let root = crate::find_root(args.path.as_deref().unwrap_or(std::path::Path::new(".")))?;
    let config = crate::load_config(&root, config_path)?;
    let dir = root.join(&config.postmortems);
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let tracked = crate::walk::Tracked::read(&root);
    let loaded = crate::postmortem::load_dir(&root, &config.postmortems, config.id_pattern.as_ref(), &tracked)?;
    let ids: Vec<&str> = loaded.postmortems.iter().map(|p| p.id.as_str()).collect();
    let date = args.date.unwrap_or_else(Date::today_utc);
    let prefix = config
        .id_prefix
        .clone()
        .or_else(|| authoring::infer_prefix(ids.iter().copied()))
        .unwrap_or_else(|| authoring::default_prefix().to_owned());
    let id = authoring::next_id(ids.iter().copied(), &prefix, date.year);
    if let Some(re) = &config.id_pattern
        && !re.is_match(&id)
    {
        bail!(
            "the next ID `{id}` does not match id_pattern `{}`; set `id_prefix` in the config to a prefix that does",
            re.as_str()
        );
    }
    let team_template = dir.join(authoring::TEMPLATE_FILE);
    let template = if team_template.is_file() {
        std::fs::read_to_string(&team_template).with_context(|| format!("cannot read {}", team_template.display()))?
    } else {
        authoring::TEMPLATE.to_owned()
    };
    let text = authoring::fill(
        &template,
        &authoring::NewPostmortem {
            id: &id,
            title: &args.title,
            severity: args.severity.as_deref(),
            date,
            today: Date::today_utc(),
        },
    );
    let rel = format!("{}/{:04}/{id}-{}.md", config.postmortems, date.year, authoring::slug(&args.title));
    let path = root.join(&rel);
    if path.exists() {
        bail!("{rel} already exists");
    }
    std::fs::create_dir_all(path.parent().expect("has a parent"))?;
    std::fs::write(&path, text).with_context(|| format!("cannot write {rel}"))?;
    let marker = config.markers.first().map_or("incident", String::as_str);
    let mut out = std::io::stdout().lock();
    writeln!(out, "created {rel} ({id}, a draft)")?;
    writeln!(out, "link the regression test with this line directly above it:\n\n    // {marker}: {id}\n")?;
    writeln!(out, "and reference action items in commits as {id}#A1")?;
    Ok(exit::OK)
}

fn init(args: &InitArgs) -> Result<u8> {
    let path = args.path.clone().unwrap_or_else(|| PathBuf::from("."));
    let root = crate::find_root(&path)?;
    let (postmortems, marker) = match root.join(crate::config::FILE_NAME) {
        f if f.is_file() => {
            let config = crate::config::Config::load(&f, crate::config::FILE_NAME)?;
            (config.postmortems, config.markers.first().cloned().unwrap_or_else(|| "incident".to_owned()))
        }
        _ => ("postmortems".to_owned(), "incident".to_owned()),
    };
    let (written, kept) =
        crate::authoring::write_files(&root, &crate::authoring::init_files(&postmortems), args.force)?;
    let mut out = std::io::stdout().lock();
    for w in &written {
        writeln!(out, "wrote       {w}")?;
    }
    for k in &kept {
        writeln!(out, "left alone  {k} (exists; --force overwrites)")?;
    }
    if written.iter().any(|w| w.ends_with("incident-guard.yml")) {
        writeln!(
            out,
            "\n.github/workflows/incident-guard.yml uses incident-guard v{}, the release of this binary; to pin it by commit, see https://github.com/incident-guard/incident-guard/blob/main/docs/action.md#pinning",
            env!("CARGO_PKG_VERSION")
        )?;
    }
    // pytest: `@pytest.mark.incident("ID")` is a mark pytest must know.
    use crate::reach::python::init::{Registration, register_mark};
    match register_mark(&root, &marker) {
        Registration::NoConfig => {}
        Registration::Already { file } => writeln!(out, "pytest mark  `{marker}` is registered in {file}")?,
        Registration::Added { file, section } => {
            writeln!(out, "registered  pytest mark `{marker}` in {file} ({section} markers)")?
        }
        Registration::Manual { file, what } => writeln!(out, "pytest      {file} was not edited; {what}")?,
    }
    writeln!(out, "next: incident-guard new --title \"…\" to write the first postmortem")?;
    Ok(exit::OK)
}

/// `list` and `show` print a table or a document: only human and JSON make sense.
fn table_format(format: Format) -> Result<Format> {
    match format {
        Format::Human | Format::Json => Ok(format),
        other => bail!("`--format {}` is for `check`; `list` and `show` print human or json", format_name(other)),
    }
}

fn format_name(format: Format) -> String {
    format.to_possible_value().map_or_else(String::new, |v| v.get_name().to_owned())
}

/// `render`: validates every input before printing anything, renders into a buffer, then
/// writes it to standard output or `--output`.
fn render_reports(args: &RenderArgs, format: Format, color: ColorChoice) -> Result<u8> {
    let format = match format {
        Format::Markdown | Format::Human | Format::Github => format,
        other => {
            bail!("`--format {}` cannot be rendered; `render` prints markdown, human or github", format_name(other))
        }
    };
    let load = |path: &PathBuf| -> Result<Vec<u8>> {
        render::input::read_bounded(path).with_context(|| path.display().to_string())
    };
    let check = match &args.report {
        Some(path) => Some(render::input::check_report(&load(path)?).with_context(|| path.display().to_string())?),
        None => None,
    };
    let verify = match &args.verify {
        Some(path) => Some(render::input::verify_report(&load(path)?).with_context(|| path.display().to_string())?),
        None => None,
    };
    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let style = Style { paths_from: None, ..style(color, to_terminal) };
    let mut buf = Vec::new();
    if let Some(report) = &check {
        render::render(report, format, &style, &mut buf)?;
    }
    if let Some(report) = &verify {
        if check.is_some() && format != Format::Github {
            buf.push(b'\n');
        }
        match format {
            Format::Markdown => render::verify::markdown(report, &mut buf)?,
            Format::Human => render::verify::human(report, &mut buf)?,
            _ => render::verify::github(report, &mut buf)?,
        }
    }
    // Before any output: a file that cannot be written fails the run with nothing printed.
    if let (Some(file), Some(report)) = (&args.proofs, &verify) {
        let lock = render::verify::proofs_lock(report).unwrap_or_else(|| crate::proof::Lock::default().render());
        write_new_or_truncate(file, lock.as_bytes()).with_context(|| format!("cannot write {}", file.display()))?;
    }
    match &args.output {
        Some(file) => write_new_or_truncate(file, &buf).with_context(|| format!("cannot write {}", file.display()))?,
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(&buf)?;
            out.flush()?;
        }
    }
    let failed = check.as_ref().is_some_and(|r| r.failed_check()) || verify.as_ref().is_some_and(|r| r.failed());
    Ok(if failed { exit::FINDINGS } else { exit::OK })
}

/// Creates or truncates `file`, refusing a symlink (on Unix also at the moment of opening,
/// with `O_NOFOLLOW`).
fn write_new_or_truncate(file: &std::path::Path, bytes: &[u8]) -> Result<()> {
    if std::fs::symlink_metadata(file).is_ok_and(|m| m.file_type().is_symlink()) {
        bail!("it is a symbolic link");
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.custom_flags(libc::O_NOFOLLOW);
    }
    let mut f = options.open(file)?;
    f.write_all(bytes)?;
    Ok(())
}

/// Runs the command line and returns the exit status.
pub fn run(cli: Cli) -> Result<u8> {
    let stdout = std::io::stdout();
    let format = cli.format.unwrap_or(Format::Human);
    match &cli.command {
        Command::Explain(args) => explain(args),
        Command::New(args) => new_postmortem(args, &cli.config),
        Command::Init(args) => init(args),
        Command::Render(args) => render_reports(args, format, cli.color),
        Command::Stats(args) => {
            let analysis = crate::analyze(&args.options(&cli.config))?;
            let stats = crate::stats::compute(&analysis.model, &analysis.config);
            let mut out = stdout.lock();
            match format {
                Format::Human => render::stats::human(&stats, &mut out)?,
                Format::Json => render::stats::json(&stats, &mut out)?,
                Format::Markdown => render::stats::markdown(&stats, &mut out)?,
                other => {
                    bail!("`--format {}` is for `check`; `stats` prints human, json or markdown", format_name(other))
                }
            }
            Ok(exit::OK)
        }
        Command::Verify(args) => {
            let mut analysis =
                PathArgs { path: args.path.clone(), today: None, no_git: false, cache: None }.options(&cli.config);
            analysis.git.base = args.base.clone();
            if args.prune {
                // Refused before anything is written.
                if !matches!(format, Format::Human | Format::Json) {
                    bail!("`--format {}` is for `check`; `verify --prune` prints human or json", format_name(format));
                }
                let report =
                    crate::verify::prune::run(&crate::verify::prune::Options { analysis, dry_run: args.dry_run })?;
                let mut out = stdout.lock();
                if format == Format::Json {
                    render::verify::prune_json(&report, &mut out)?;
                } else {
                    render::verify::prune_human(&report, &mut out)?;
                }
                out.flush()?;
                return Ok(exit::OK);
            }
            let opts = crate::verify::Options {
                analysis,
                ids: args.ids.clone(),
                test: args.test.clone(),
                changed: args.changed,
                jobs: args.jobs.max(1),
                timeout: args.timeout,
                at_head: args.at_head,
                record: args.record,
                budget: args.budget,
            };
            let report = crate::verify::run(&opts)?;
            let mut out = stdout.lock();
            match format {
                Format::Human => render::verify::human(&report, &mut out)?,
                Format::Json => render::verify::json(&report, &mut out)?,
                Format::Markdown => render::verify::markdown(&report, &mut out)?,
                other => {
                    bail!("`--format {}` is for `check`; `verify` prints human, json or markdown", format_name(other))
                }
            }
            out.flush()?;
            Ok(if report.failed() { exit::FINDINGS } else { exit::OK })
        }
        Command::Check(args) => {
            let outputs = Outputs::from_args(&args.output)?;
            let mut options = args.common.options(&cli.config);
            options.git.base = args.base.clone();
            options.compare_base = true;
            options.fail_on = args.fail_on.map(|f| match f {
                FailOnArg::All => crate::config::FailOn::All,
                FailOnArg::New => crate::config::FailOn::New,
            });
            args.results.apply(&mut options);
            let analysis = crate::analyze(&options)?;
            let report = crate::check(&analysis);
            let styled = |to_terminal| located(style(cli.color, to_terminal), &report);
            // Every file is rendered from the one report and written before anything goes
            // to standard output, so a file that cannot be written fails the run (exit 2)
            // before annotations claim a result.
            let files = outputs.main.iter().map(|file| (format, file)).chain(outputs.also.iter().map(|(f, p)| (*f, p)));
            for (format, file) in files {
                let mut buf = Vec::new();
                render::render(&report, format, &styled(false), &mut buf)?;
                std::fs::write(file, buf).with_context(|| format!("cannot write {}", file.display()))?;
            }
            if outputs.main.is_none() {
                // Buffered: standard output flushes at each line, a system call per line
                // of a report of thousands.
                let mut out = std::io::BufWriter::new(stdout.lock());
                render::render(&report, format, &styled(stdout.is_terminal()), &mut out)?;
                out.flush()?;
            }
            // Once, however many of the reports are GitHub's.
            if format == Format::Github || outputs.also.iter().any(|(f, _)| *f == Format::Github) {
                write_step_summary(&report, &style(ColorChoice::Never, false))?;
            }
            Ok(if report.failed_check() { exit::FINDINGS } else { exit::OK })
        }
        Command::List(args) => {
            let format = table_format(format)?;
            let mut options = args.common.options(&cli.config);
            args.results.apply(&mut options);
            let analysis = crate::analyze(&options)?;
            let report = crate::check(&analysis);
            let mut out = stdout.lock();
            match format {
                Format::Human => render::human::list(&report.incidents, report.test_results.is_some(), &mut out)?,
                _ => render::json::write_value(
                    &serde_json::json!({ "version": report.version, "incidents": report.incidents }),
                    &mut out,
                )?,
            }
            Ok(exit::OK)
        }
        Command::Show(args) => {
            let format = table_format(format)?;
            let mut options = args.common.options(&cli.config);
            args.results.apply(&mut options);
            let analysis = crate::analyze(&options)?;
            let report = crate::check(&analysis);
            let Some(incident) = report.incidents.iter().find(|i| i.id == args.id) else {
                let near = crate::suggest::did_you_mean(&args.id, report.incidents.iter().map(|i| i.id.as_str()));
                bail!(
                    "no postmortem has the incident ID `{}`{}",
                    args.id,
                    if near.is_empty() { String::new() } else { format!("; {near}") }
                );
            };
            let findings: Vec<_> = report.findings.iter().filter(|f| f.incident.as_deref() == Some(&args.id)).collect();
            let mut out = stdout.lock();
            match format {
                Format::Human => render::human::show(
                    incident,
                    &findings,
                    &located(style(cli.color, stdout.is_terminal()), &report),
                    &mut out,
                )?,
                _ => render::json::write_value(
                    &serde_json::json!({ "version": report.version, "incident": incident, "findings": findings }),
                    &mut out,
                )?,
            }
            Ok(exit::OK)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outputs(values: &[&str]) -> Result<Outputs> {
        let args: Vec<OutputArg> =
            values.iter().map(|v| parse_output(v).map_err(anyhow::Error::msg)).collect::<Result<_>>()?;
        Outputs::from_args(&args)
    }

    #[test]
    fn output_values_are_a_file_or_format_equals_file() {
        assert_eq!(parse_output("report.md"), Ok(OutputArg::Main("report.md".into())));
        assert_eq!(parse_output("sarif=out.sarif"), Ok(OutputArg::Also(Format::Sarif, "out.sarif".into())));
        assert_eq!(parse_output("JSON=a=b.json"), Ok(OutputArg::Also(Format::Json, "a=b.json".into())));
        // Not a format before `=`: a file name with `=` in it.
        assert_eq!(parse_output("a=b.txt"), Ok(OutputArg::Main("a=b.txt".into())));
        assert!(parse_output("markdown=").unwrap_err().contains("names no file"));
        assert!(parse_output("").is_err());
    }

    #[test]
    fn outputs_take_one_main_file_and_no_file_twice() {
        let o = outputs(&["markdown=r.md", "sarif=r.sarif", "main.txt"]).unwrap();
        assert_eq!(o.main, Some(PathBuf::from("main.txt")));
        assert_eq!(o.also, [(Format::Markdown, "r.md".into()), (Format::Sarif, "r.sarif".into())]);
        assert_eq!(outputs(&[]).unwrap(), Outputs::default());
        let err = outputs(&["a.txt", "b.txt"]).unwrap_err().to_string();
        assert!(err.contains("two files for the `--format` report (`a.txt` and `b.txt`)"), "{err}");
        let err = outputs(&["json=r.out", "sarif=r.out"]).unwrap_err().to_string();
        assert!(err.contains("names `r.out` twice"), "{err}");
        assert!(outputs(&["r.out", "sarif=r.out"]).is_err());
    }
}
