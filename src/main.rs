//! The `dermls` command line: `check`, `claim` and `explain`.

use std::borrow::Cow;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};
use rayon::prelude::*;
use serde_json::json;

use dermls::analysis::{self, CONVERSION_FACTOR_2026, Options, round2};
use dermls::codes::{self, CodeTable};
use dermls::fix;
use dermls::lines::LineIndex;
use dermls::rules::claim::DistinctModifier;
use dermls::rules::claim::EncounterClaim;
use dermls::rules::{Finding, PayerRules, Severity, registry};
use dermls::vocab::{Payer, vocab};

/// mimalloc: the analysis makes many small, short-lived allocations, which
/// it serves faster than the system allocator, on every core at once.
#[global_allocator]
static ALLOC: Mimalloc = Mimalloc;

/// mimalloc through its plain entry points where the alignment allows.
/// The `mimalloc` crate's allocator calls `mi_malloc_aligned` for every
/// allocation, which costs about twice `mi_malloc`'s instructions; almost
/// every allocation here asks for at most 8 bytes of alignment, which every
/// mimalloc block has (its sizes are whole words, its pages aligned).
struct Mimalloc;

/// The alignment every block `mi_malloc` returns has.
const WORD_ALIGN: usize = 8;

// SAFETY: each method hands the request to mimalloc, whose blocks meet the
// layout's alignment: the plain calls only when it is at most a word, the
// aligned ones otherwise; `mi_free` frees either kind.
unsafe impl std::alloc::GlobalAlloc for Mimalloc {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        if layout.align() <= WORD_ALIGN {
            unsafe { libmimalloc_sys::mi_malloc(layout.size()).cast() }
        } else {
            unsafe { libmimalloc_sys::mi_malloc_aligned(layout.size(), layout.align()).cast() }
        }
    }

    unsafe fn alloc_zeroed(&self, layout: std::alloc::Layout) -> *mut u8 {
        if layout.align() <= WORD_ALIGN {
            unsafe { libmimalloc_sys::mi_zalloc(layout.size()).cast() }
        } else {
            unsafe { libmimalloc_sys::mi_zalloc_aligned(layout.size(), layout.align()).cast() }
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, _layout: std::alloc::Layout) {
        unsafe { libmimalloc_sys::mi_free(ptr.cast()) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: std::alloc::Layout, new_size: usize) -> *mut u8 {
        if layout.align() <= WORD_ALIGN {
            unsafe { libmimalloc_sys::mi_realloc(ptr.cast(), new_size).cast() }
        } else {
            unsafe {
                libmimalloc_sys::mi_realloc_aligned(ptr.cast(), new_size, layout.align()).cast()
            }
        }
    }
}

#[derive(Parser)]
#[command(
    name = "dermls",
    version,
    about = "Dermatology encounter notes to CPT claims, with the documentation an audit would find missing"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// Run the language server on stdin/stdout (the same as `dermls serve`).
    #[arg(long)]
    stdio: bool,
}

#[derive(Subcommand)]
enum Command {
    /// The language server, on stdin/stdout.
    Serve {
        /// Accepted for editors that pass it; stdio is the only transport.
        #[arg(long)]
        stdio: bool,
    },
    /// Diagnostics for each note: missing documentation and Billing problems.
    Check {
        #[command(flatten)]
        args: FileArgs,
        /// Apply every fix to the Billing sections in place (the file is
        /// rewritten only when something changed, atomically).
        #[arg(long)]
        fix: bool,
    },
    /// The claim (CPT codes, modifiers, units, diagnoses) each note supports.
    Claim {
        #[command(flatten)]
        args: FileArgs,
        /// Write each encounter's `## Billing` section from its claim, in
        /// place (replacing an existing one; nothing changes when it
        /// already says the same).
        #[arg(long)]
        write: bool,
    },
    /// What a CPT code, modifier, ICD-10-CM code or diagnostic code means.
    Explain {
        /// `11102`, `59`, `L57.0` or `doc/biopsy-site`.
        code: String,
        #[command(flatten)]
        data: DataArgs,
    },
    /// A synthetic corpus of encounter notes, for benchmarks.
    #[command(hide = true)]
    Corpus {
        /// The same seed always gives the same text.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Generate encounters until the text holds at least this many bytes.
        #[arg(long, default_value_t = 1_000_000)]
        bytes: usize,
        /// Write the corpus here instead of to stdout.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

#[derive(Args)]
struct FileArgs {
    /// Notes (`*.derm`) or directories holding them.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// The payer to assume where a note names none.
    #[arg(long)]
    payer: Option<String>,
    /// The modifier for a distinct lesion or site: 59 or XS.
    #[arg(long, default_value = "59")]
    distinct_site_modifier: String,
    /// Dollars per RVU for the payment estimate.
    #[arg(long, default_value_t = CONVERSION_FACTOR_2026)]
    conversion_factor: f64,
    /// A diagnostic code to switch off (repeatable).
    #[arg(long = "disable", value_name = "CODE")]
    disabled: Vec<String>,
    #[command(flatten)]
    data: DataArgs,
    #[command(flatten)]
    rules: RuleArgs,
}

#[derive(Args)]
struct DataArgs {
    /// A CMS PPRRVU file (CSV) to use instead of the built-in RVUs.
    #[arg(long, value_name = "FILE")]
    cms_rvu: Option<PathBuf>,
    /// A CMS NCCI practitioner PTP file to use instead of the built-in pairs.
    #[arg(long, value_name = "FILE")]
    ncci: Option<PathBuf>,
    /// A CMS practitioner MUE file to use instead of the built-in MUEs.
    #[arg(long, value_name = "FILE")]
    mue: Option<PathBuf>,
}

#[derive(Args)]
struct RuleArgs {
    /// A payer rules file (the format of src/rules/data/payer_rules.csv) to
    /// use instead of the built-in payer rules.
    #[arg(long, value_name = "FILE")]
    payer_rules: Option<PathBuf>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Json,
}

/// `mi_option_purge_delay` in mimalloc's `mi_option_e` (`mimalloc.h`).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn main() -> ExitCode {
    // A run frees and allocates again the syntax and facts of every window
    // of encounters: memory handed back to the system would only be faulted
    // in again, so none is (a short-lived process, it is all freed at exit).
    // SAFETY: setting an option takes no pointer and may be done at any time.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
    // Transparent huge pages make each 64 KiB page mimalloc touches cost
    // a 2 MiB one: the server holding a thousand notes took 100 MiB with
    // them and 42 MiB without (`python3 benches/server.py memory`). The
    // allocator is built not to ask for them (`no_thp` in Cargo.toml: its
    // request let the kernel stop to compact memory at start-up, before
    // `main`); on a system that gives them unasked (THP `always`), the
    // kernel's switch for the process turns them off from here on.
    #[cfg(target_os = "linux")]
    // SAFETY: prctl with integer arguments only; failing leaves THP on.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("dermls: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    let Some(command) = cli.command else {
        if cli.stdio {
            return serve();
        }
        use clap::CommandFactory;
        Cli::command()
            .error(
                clap::error::ErrorKind::MissingSubcommand,
                "a command is required: serve, check, claim or explain",
            )
            .exit()
    };
    match command {
        Command::Serve { .. } => serve(),
        Command::Check { args, fix } => notes(args, if fix { Mode::Fix } else { Mode::Check }),
        Command::Claim { args, write } => {
            notes(args, if write { Mode::Write } else { Mode::Claim })
        }
        Command::Corpus { seed, bytes, out } => {
            let text = dermls::corpus::generate(seed, bytes);
            match out {
                Some(p) => std::fs::write(&p, text).with_context(|| format!("{}", p.display()))?,
                None => io::stdout().lock().write_all(text.as_bytes())?,
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Explain { code, data } => {
            let table = load_table(&data)?;
            match explain(&code, &table) {
                Some(text) => {
                    println!("{text}");
                    Ok(ExitCode::SUCCESS)
                }
                None => {
                    eprintln!(
                        "dermls: {code}: not a CPT code, modifier, ICD-10-CM code or diagnostic code dermls knows"
                    );
                    Ok(ExitCode::from(2))
                }
            }
        }
    }
}

fn read_text(p: &Path) -> Result<String> {
    let bytes = std::fs::read(p).with_context(|| format!("{}", p.display()))?;
    String::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!(
            "{}: not UTF-8 text (invalid byte at offset {})",
            p.display(),
            e.utf8_error().valid_up_to()
        )
    })
}

/// The language server until the client says `exit`.
fn serve() -> Result<ExitCode> {
    // Unlike a run of `check`, the server lives on with what it holds: the
    // memory a document's opening and analysis used for a moment (its
    // message read, parsed and copied, the analysis's working lists) goes
    // back to the system as soon as it is freed. Kept, as `main` keeps it
    // for the command line, it held a 2 MB document's server at 60-66 MiB
    // instead of 49 MiB (`python3 benches/server.py keystroke`); the large
    // buffers each keystroke needs are kept by the server itself
    // (`lsp/spare.rs`), so typing does not fault them in again.
    // SAFETY: as in `main`.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0) };
    // A large document's diagnostics are a megabyte or more of JSON; through
    // a pipe of the default 64 KiB the client and the server take turns two
    // dozen times per keystroke. A larger pipe, when stdout is one and the
    // system allows it, lets one write carry it.
    #[cfg(target_os = "linux")]
    // SAFETY: fcntl on fd 1 with integer arguments; it fails harmlessly
    // (EBADF, EPERM, or stdout not a pipe) and the pipe keeps its size.
    unsafe {
        libc::fcntl(1, libc::F_SETPIPE_SZ, 1 << 20);
    }
    dermls::lsp::run_stdio().context("language server")?;
    Ok(ExitCode::SUCCESS)
}

/// The built-in table (borrowed, not copied), or the CMS files the user
/// named laid over it.
fn load_table(data: &DataArgs) -> Result<Cow<'static, CodeTable>> {
    let read = read_text;
    let builtin = CodeTable::builtin();
    if data.cms_rvu.is_none() && data.ncci.is_none() && data.mue.is_none() {
        return Ok(Cow::Borrowed(builtin));
    }
    let rvu = match &data.cms_rvu {
        Some(p) => Some(codes::parse_cms_rvu(&p.display().to_string(), &read(p)?)?),
        None => None,
    };
    let ncci = match &data.ncci {
        Some(p) => Some(codes::parse_ncci_ptp(&p.display().to_string(), &read(p)?)?),
        None => None,
    };
    let mue = match &data.mue {
        Some(p) => Some(codes::parse_mue(&p.display().to_string(), &read(p)?)?),
        None => None,
    };
    Ok(Cow::Owned(builtin.with_cms(
        rvu.as_ref(),
        ncci.as_deref(),
        mue.as_deref(),
    )))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Check,
    /// `check --fix`.
    Fix,
    Claim,
    /// `claim --write`.
    Write,
}

fn notes(args: FileArgs, mode: Mode) -> Result<ExitCode> {
    // The vocabulary is built on its first use. Asked for now on the pool,
    // it is built there while this thread loads the code table and reads
    // the notes, rather than after.
    rayon::spawn(|| {
        vocab();
    });
    let table = load_table(&args.data)?;
    let mut options = Options {
        conversion_factor: args.conversion_factor,
        disabled_rules: args.disabled.clone(),
        ..Options::default()
    };
    options.claim.distinct_modifier = DistinctModifier::parse(&args.distinct_site_modifier)
        .with_context(|| {
            format!(
                "--distinct-site-modifier {}: expected 59 or XS",
                args.distinct_site_modifier
            )
        })?;
    if let Some(p) = &args.payer {
        let payer = vocab().payer(p);
        if payer == Payer::Unknown {
            anyhow::bail!(
                "--payer {p}: expected Medicare, UHC, Aetna, BCBS, Medicaid, Commercial or Self-pay"
            );
        }
        options.claim.default_payer = Some(payer);
    }
    if let Some(p) = &args.rules.payer_rules {
        options.payer_rules = Some(PayerRules::parse(&p.display().to_string(), &read_text(p)?)?);
    }
    let mut io_error = false;
    let mut any_error = false;
    let stdout = io::stdout();
    let mut out = io::BufWriter::with_capacity(1 << 16, stdout.lock());
    let paths = expand(&args.files, &mut io_error);
    // A window of files at a time on all cores, printed in input order as
    // each window completes: the output streams and memory stays flat
    // however many files there are. A window of one file (a lone note, or
    // the last of many) is analysed on all cores and printed an encounter
    // at a time as it goes, so that its output is never held whole.
    for window in paths.chunks(FILES_AT_ONCE) {
        let done: Vec<(String, Done)> = match window {
            [path] => {
                let mut written = Ok(());
                let d = one_note(path, mode, args.format, &table, &options, &mut |piece| {
                    if written.is_ok() {
                        written = out.write_all(piece.as_bytes());
                    }
                });
                written?;
                vec![(String::new(), d)]
            }
            _ => window
                .par_iter()
                .map(|path| {
                    let mut output = String::new();
                    let d = one_note(path, mode, args.format, &table, &options, &mut |piece| {
                        output.push_str(piece)
                    });
                    (output, d)
                })
                .collect(),
        };
        for (output, d) in done {
            out.write_all(output.as_bytes())?;
            if let Some(e) = d.error {
                out.flush()?;
                eprintln!("dermls: {e}");
                io_error = true;
            }
            any_error |= d.has_error_finding;
        }
    }
    out.flush()?;
    Ok(if io_error {
        ExitCode::from(2)
    } else if any_error {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Files analysed together: a few per core, so that a slow file rarely
/// leaves a core idle.
const FILES_AT_ONCE: usize = 64;

/// What one note gives besides its output: an I/O error to report, and
/// whether a finding of error severity was raised.
struct Done {
    error: Option<String>,
    has_error_finding: bool,
}

/// Analyses one note, handing its output to `print` a piece at a time, in
/// order.
fn one_note(
    path: &Path,
    mode: Mode,
    format: Format,
    table: &CodeTable,
    options: &Options,
    print: &mut dyn FnMut(&str),
) -> Done {
    let mut done = Done {
        error: None,
        has_error_finding: false,
    };
    let text = match read_note(path) {
        Ok(t) => t,
        Err(e) => {
            done.error = Some(e);
            return done;
        }
    };
    let name = path.display().to_string();
    // `--fix` and `--write` rewrite the note, then report on the result.
    let (text, changed) = match mode {
        Mode::Fix => fix::fix_all(&text, table, options),
        Mode::Write => {
            let a = analysis::analyze_parallel(&text, table, options);
            let edits = fix::billing_edits(&text, &a);
            fix::apply(&text, &edits)
        }
        Mode::Check | Mode::Claim => (text, 0),
    };
    if changed > 0 {
        if let Err(e) = write_atomic(path, &text) {
            done.error = Some(format!("{name}: could not write the note: {e}"));
            return done;
        }
    }
    let form = Form {
        mode,
        format,
        name: &name,
        text: &text,
        index: matches!(mode, Mode::Check | Mode::Fix).then(|| LineIndex::new(&text)),
        table,
        options,
    };
    let (start, json_end) = form.open(changed);
    print(&start);
    let mut items = 0;
    let emit = |piece: Piece| {
        if piece.items > 0 && items > 0 {
            print(",");
        }
        print(&piece.text);
        items += piece.items;
        done.has_error_finding |= piece.has_error;
    };
    if form.check() {
        analysis::map_encounters(
            &text,
            table,
            options,
            |claim, findings| form.piece(&claim, &findings),
            emit,
        );
    } else {
        // A claim prints no finding: the rules need not run.
        analysis::map_claims(&text, table, options, |claim| form.piece(&claim, &[]), emit);
    }
    print(&json_end);
    done
}

/// How one note's output is written, an encounter at a time: each
/// encounter's piece is formatted on any core, and the pieces are joined in
/// order, so that only the text printed is kept of a long note.
struct Form<'a> {
    mode: Mode,
    format: Format,
    name: &'a str,
    text: &'a str,
    /// Offsets to lines and columns, for the findings.
    index: Option<LineIndex>,
    table: &'a CodeTable,
    options: &'a Options,
}

/// One encounter's output.
struct Piece {
    text: String,
    /// JSON output: how many items of the list `text` holds, joined by
    /// commas.
    items: usize,
    /// A finding of error severity (`check`).
    has_error: bool,
}

impl Form<'_> {
    fn check(&self) -> bool {
        matches!(self.mode, Mode::Check | Mode::Fix)
    }

    /// What comes before the pieces, and after them.
    fn open(&self, changed: usize) -> (String, String) {
        let name = self.name;
        match (self.check(), self.format) {
            (false, Format::Json) => json_around(json!({ "file": name, "encounters": LIST })),
            (false, Format::Text) => (format!("{name}\n"), String::new()),
            (true, Format::Json) => {
                let mut v = json!({ "file": name, "diagnostics": LIST });
                if self.mode == Mode::Fix {
                    v["fixes_applied"] = json!(changed);
                }
                json_around(v)
            }
            (true, Format::Text) if self.mode == Mode::Fix && changed > 0 => (
                format!("{name}: applied {changed} fix edit(s)\n"),
                String::new(),
            ),
            (true, Format::Text) => (String::new(), String::new()),
        }
    }

    fn piece(&self, claim: &EncounterClaim, findings: &[Finding]) -> Piece {
        let mut p = Piece {
            text: String::new(),
            items: 0,
            has_error: self.check() && findings.iter().any(|f| f.severity == Severity::Error),
        };
        match (&self.index, self.format) {
            (None, Format::Json) => {
                p.text = claim_json(claim, self.table, self.options);
                p.items = 1;
            }
            (None, Format::Text) => claim_text(&mut p.text, claim, self.table, self.options),
            (Some(index), Format::Json) => {
                let mut near = NEAR.get();
                for f in findings {
                    let item = finding_json(self.text, index, &mut near, f);
                    push_item(&mut p.text, &mut p.items, &item);
                }
                NEAR.set(near);
            }
            (Some(index), Format::Text) => {
                // Room for every line at once: the piece grown a push at a
                // time would be copied each time it doubles.
                p.text.reserve(
                    findings
                        .iter()
                        .map(|f| finding_text_room(self.name, f))
                        .sum(),
                );
                let mut near = NEAR.get();
                for f in findings {
                    finding_text(&mut p.text, self.name, self.text, index, &mut near, f);
                }
                NEAR.set(near);
            }
        }
        p
    }
}

thread_local! {
    /// The line of the last finding this thread placed: the start of the
    /// search for the next one's ([`LineIndex::position_near`]). A thread
    /// formats runs of encounters in their order, so the next finding is
    /// most often a few lines on, whether in the same encounter or the
    /// next; a line of another file, or one past it, only costs the whole
    /// search.
    static NEAR: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// The JSON object `v` as serde_json writes it (the order of its keys
/// included), split where its list of items, the placeholder [`LIST`],
/// goes: the text before the items and after them.
fn json_around(v: serde_json::Value) -> (String, String) {
    let whole = v.to_string();
    let list = serde_json::Value::from(LIST).to_string();
    let at = whole.find(&list).expect("the placeholder is written");
    (
        format!("{}[", &whole[..at]),
        format!("]{}\n", &whole[at + list.len()..]),
    )
}

/// Adds an item to a JSON list, after a comma unless it is the first.
fn push_item(s: &mut String, items: &mut usize, item: &str) {
    if *items > 0 {
        s.push(',');
    }
    s.push_str(item);
    *items += 1;
}

/// Stands in for the list of items in a JSON object, to be found where
/// serde_json writes it (no file name holds a NUL).
const LIST: &str = "\u{0}";

/// Replaces the file's contents without ever leaving half a note: the new
/// text goes to a temporary file beside it (same directory, so the rename
/// stays on one file system), which is synced and renamed over the note.
/// The note's permissions are kept.
fn write_atomic(path: &Path, text: &str) -> io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.dermls-{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        if let Ok(meta) = std::fs::metadata(path) {
            std::fs::set_permissions(&tmp, meta.permissions())?;
        }
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Files as given; a directory means every `*.derm` under it, sorted. A
/// path that does not exist or a directory without notes is reported on
/// stderr.
fn expand(paths: &[PathBuf], io_error: &mut bool) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found = Vec::new();
            walk(p, &mut found);
            found.sort();
            if found.is_empty() {
                eprintln!("dermls: {}: no .derm notes in this directory", p.display());
                *io_error = true;
            }
            out.extend(found);
        } else {
            out.push(p.clone());
        }
    }
    out
}

fn walk(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, found);
        } else if p.extension().is_some_and(|x| x == "derm") {
            found.push(p);
        }
    }
}

fn read_note(path: &Path) -> std::result::Result<String, String> {
    let bytes = read_file(path).map_err(|e| {
        let why = match e.kind() {
            io::ErrorKind::NotFound => "no such file".to_string(),
            io::ErrorKind::PermissionDenied => "permission denied".to_string(),
            _ if path.is_dir() => "is a directory".to_string(),
            _ => e.to_string(),
        };
        format!("{}: {why}", path.display())
    })?;
    let bytes = match bytes {
        Read::Checked(text) => return Ok(text),
        Read::Unchecked(bytes) => bytes,
    };
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "{}: not UTF-8 text (invalid byte at offset {}); save the note as UTF-8",
            path.display(),
            e.utf8_error().valid_up_to()
        )
    })
}

/// A file's contents as [`read_file`] gives them.
enum Read {
    /// Read in pieces on all cores and found to be UTF-8 there.
    Checked(String),
    /// Read on this thread, or not UTF-8: to be checked by the caller,
    /// whose check finds where the text goes wrong.
    Unchecked(Vec<u8>),
}

/// Files at least this long are read and checked on all cores: reading a
/// 20 MB note (faulting in its pages) and checking its UTF-8 is otherwise
/// a tenth of its run, with every core but one idle.
const PARALLEL_READ: u64 = 1 << 20;

/// The bytes each task of a parallel read reads and checks: at least
/// four, so that a character crosses at most one cut.
const READ_PIECE: usize = 256 << 10;

/// Reads a file whole, as `std::fs::read` does; a long regular file in
/// pieces on all cores, each piece checked for UTF-8 as it is read.
fn read_file(path: &Path) -> io::Result<Read> {
    use std::io::Read as _;
    let mut file = std::fs::File::open(path)?;
    let len = file.metadata().map(|m| (m.is_file(), m.len()));
    if let Ok((true, len)) = len {
        if len >= PARALLEL_READ {
            if let Some(text) = read_parallel(&file, len) {
                return Ok(Read::Checked(text));
            }
            // Changed while read, not UTF-8, or a read failed: read it
            // again the usual way, for its contents or the error.
            return std::fs::read(path).map(Read::Unchecked);
        }
    }
    let mut bytes = Vec::with_capacity(len.map_or(0, |(_, l)| l as usize));
    file.read_to_end(&mut bytes)?;
    Ok(Read::Unchecked(bytes))
}

/// A file of `len` bytes read in pieces of [`READ_PIECE`] on all cores,
/// when it is UTF-8 and still `len` bytes long.
#[cfg(unix)]
fn read_parallel(file: &std::fs::File, len: u64) -> Option<String> {
    use std::os::fd::AsRawFd;
    use std::os::unix::fs::FileExt;
    let len = usize::try_from(len).ok()?;
    // Not zeroed first: zeroing would fault in every page on this thread
    // before the reads, where each core faults in the pages it reads into.
    let mut bytes: Vec<u8> = Vec::with_capacity(len);
    // The buffer's address as a number, to share with the tasks.
    let buffer = bytes.as_mut_ptr() as usize;
    let fd = file.as_raw_fd();
    let tails = (0..len.div_ceil(READ_PIECE))
        .into_par_iter()
        .map(|k| {
            let from = k * READ_PIECE;
            let to = (from + READ_PIECE).min(len);
            let mut at = from;
            while at < to {
                // SAFETY: `pread` writes at most `to - at` bytes at `at`,
                // within the buffer's capacity, into a range of it no other
                // task writes or reads.
                let n = unsafe {
                    libc::pread(
                        fd,
                        (buffer + at) as *mut libc::c_void,
                        to - at,
                        libc::off_t::try_from(at).ok()?,
                    )
                };
                match n {
                    n if n > 0 => at += n as usize,
                    -1 if io::Error::last_os_error().kind() == io::ErrorKind::Interrupted => {}
                    // The end before `len`, or an error.
                    _ => return None,
                }
            }
            // SAFETY: `from..to` was written whole by the reads above.
            let piece =
                unsafe { std::slice::from_raw_parts((buffer + from) as *const u8, to - from) };
            utf8_piece(piece, k > 0).map(|(start, tail)| (from + start, from + tail))
        })
        .collect::<Option<Vec<(usize, usize)>>>()?;
    // SAFETY: every piece of `0..len` was read into: all `len` bytes are
    // written.
    unsafe { bytes.set_len(len) };
    // A byte more means the file grew since its length was taken.
    if file.read_at(&mut [0u8], len as u64).ok()? != 0 {
        return None;
    }
    joins_are_utf8(&bytes, &tails).then(|| {
        // SAFETY: `joins_are_utf8` found every byte in a run of UTF-8
        // text, and the runs cover the whole text, one after another.
        unsafe { String::from_utf8_unchecked(bytes) }
    })
}

#[cfg(not(unix))]
fn read_parallel(_file: &std::fs::File, _len: u64) -> Option<String> {
    None
}

/// The UTF-8 check of one piece of a longer text: where the piece's own
/// characters start (past the up to three continuation bytes of a
/// character begun in the piece before, when it is not the first) and
/// where the UTF-8 text from there ends, which is the piece's end or the
/// start of a character cut off by it. `None` if the piece holds bytes
/// that are not UTF-8 wherever it was cut.
fn utf8_piece(piece: &[u8], after_another: bool) -> Option<(usize, usize)> {
    let start = if after_another {
        piece
            .iter()
            .take(3)
            .take_while(|&&b| b & 0xC0 == 0x80)
            .count()
    } else {
        0
    };
    match std::str::from_utf8(&piece[start..]) {
        Ok(_) => Some((start, piece.len())),
        Err(e) if e.error_len().is_none() => Some((start, start + e.valid_up_to())),
        Err(_) => None,
    }
}

/// Whether text checked in pieces is UTF-8 as a whole: each piece's own
/// run `start..tail` is, so what is left is the bytes between one piece's
/// tail and the next piece's start (a character across the cut, or
/// nothing).
fn joins_are_utf8(bytes: &[u8], runs: &[(usize, usize)]) -> bool {
    runs.first().is_none_or(|&(start, _)| start == 0)
        && runs.iter().enumerate().all(|(k, &(_, tail))| {
            let next = runs.get(k + 1).map_or(bytes.len(), |&(start, _)| start);
            tail <= next && std::str::from_utf8(&bytes[tail..next]).is_ok()
        })
}

const ESTIMATE_NOTE: &str = "national Medicare estimate: non-facility total RVU x conversion factor, no geographic adjustment";

/// A claim as `claim --format json` writes it. The fields are in the
/// order serde_json's maps keep their keys (sorted), so the output is the
/// same as before they were written straight from these borrowed records
/// instead of through a `serde_json::Value` per claim, which cost a quarter
/// of `claim --format json`.
#[derive(serde::Serialize)]
struct ClaimJson<'a> {
    conversion_factor: f64,
    date: &'a Option<String>,
    estimate: &'static str,
    estimated_payment_usd: f64,
    index: usize,
    lines: Vec<LineJson<'a>>,
    payer: &'static str,
    total_rvu: f64,
}

/// One line of a [`ClaimJson`], its keys sorted likewise.
#[derive(serde::Serialize)]
struct LineJson<'a> {
    cpt: &'a str,
    dx: &'a [String],
    modifiers: &'a [String],
    nonfac_total_rvu: Option<f64>,
    rule: &'static str,
    rvu_year: Option<u16>,
    units: u32,
    why: &'a str,
}

fn claim_json(c: &EncounterClaim, table: &CodeTable, options: &Options) -> String {
    let lines = c
        .lines
        .iter()
        .map(|l| {
            let row = table.get(&l.cpt);
            LineJson {
                cpt: &l.cpt,
                dx: &l.dx,
                modifiers: &l.modifiers,
                nonfac_total_rvu: row.map(|r| r.nonfac_total_rvu),
                rule: l.rule,
                rvu_year: row.map(|r| r.total_year),
                units: l.units,
                why: &l.why,
            }
        })
        .collect();
    let total = analysis::total_rvu(c, table);
    let claim = ClaimJson {
        conversion_factor: options.conversion_factor,
        date: &c.date,
        estimate: ESTIMATE_NOTE,
        estimated_payment_usd: round2(total * options.conversion_factor),
        index: c.index,
        lines,
        payer: c.payer.as_str(),
        total_rvu: round2(total),
    };
    serde_json::to_string(&claim).expect("a claim serialises")
}

fn claim_text(s: &mut String, c: &EncounterClaim, table: &CodeTable, options: &Options) {
    s.push_str(&format!(
        "  encounter {}{} · payer {}\n",
        c.index + 1,
        c.date
            .as_deref()
            .map(|d| format!(" · {d}"))
            .unwrap_or_default(),
        c.payer.as_str()
    ));
    if c.lines.is_empty() {
        s.push_str("    (no billable lines)\n");
    }
    let mut estimated_year = false;
    for l in &c.lines {
        let row = table.get(&l.cpt);
        let rvu = row
            .map(|r| r.nonfac_total_rvu * f64::from(l.units))
            .unwrap_or(0.0);
        let year = row.map(|r| r.total_year).unwrap_or(0);
        estimated_year |= year != 0 && year < 2026;
        s.push_str(&format!(
            "    {:<14} {:<18} {:>6.2} RVU ({year}{})  {}\n",
            l.label(),
            if l.dx.is_empty() {
                String::new()
            } else {
                format!("Dx: {}", l.dx.join(", "))
            },
            rvu,
            if year < 2026 {
                ", standing in for 2026"
            } else {
                ""
            },
            l.rule,
        ));
    }
    let total = analysis::total_rvu(c, table);
    s.push_str(&format!(
        "    total {:.2} RVU · estimated ${:.2} ({ESTIMATE_NOTE}, ${}/RVU){}\n",
        total,
        total * options.conversion_factor,
        options.conversion_factor,
        if estimated_year {
            "; some RVUs are 2025 figures standing in for 2026"
        } else {
            ""
        }
    ));
}

/// A diagnostic as `check --format json` writes it, keys sorted as in
/// [`ClaimJson`].
#[derive(serde::Serialize)]
struct FindingJson<'a> {
    code: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    fix: Option<FixJson<'a>>,
    message: &'a str,
    range: RangeJson,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related: Vec<RelatedJson<'a>>,
    severity: &'static str,
}

#[derive(serde::Serialize)]
struct FixJson<'a> {
    edits: Vec<EditJson<'a>>,
    title: &'a str,
}

#[derive(serde::Serialize)]
struct EditJson<'a> {
    #[serde(rename = "newText")]
    new_text: &'a str,
    range: RangeJson,
}

#[derive(serde::Serialize)]
struct RelatedJson<'a> {
    message: &'a str,
    range: RangeJson,
}

#[derive(serde::Serialize)]
struct RangeJson {
    end: PositionJson,
    start: PositionJson,
}

#[derive(serde::Serialize)]
struct PositionJson {
    character: usize,
    line: usize,
}

fn finding_json(text: &str, index: &LineIndex, near: &mut usize, f: &Finding) -> String {
    let mut position = |offset: usize| {
        let (line, character) = index.position_near(text, offset, near);
        PositionJson { character, line }
    };
    let mut range = |span: dermls::Span| {
        // The start first: the search for the end then steps on from it.
        let start = position(span.start);
        RangeJson {
            end: position(span.end),
            start,
        }
    };
    let d = FindingJson {
        code: f.code,
        fix: f.fix.as_ref().map(|fix| FixJson {
            edits: fix
                .edits
                .iter()
                .map(|e| EditJson {
                    new_text: &e.new_text,
                    range: range(e.span),
                })
                .collect(),
            title: &fix.title,
        }),
        message: &f.message,
        range: range(f.span),
        related: f
            .related
            .iter()
            .map(|(span, message)| RelatedJson {
                message,
                range: range(*span),
            })
            .collect(),
        severity: f.severity.as_str(),
    };
    serde_json::to_string(&d).expect("a diagnostic serialises")
}

/// At least the length of what [`finding_text`] writes for `f`: its
/// pieces, with the most digits a line and a column can have.
fn finding_text_room(file: &str, f: &Finding) -> usize {
    const NUMBERS: usize = 2 * 20;
    let fix = f
        .fix
        .as_ref()
        .map_or(0, |fix| "  = fix: \n".len() + fix.title.len());
    file.len()
        + NUMBERS
        + ":: [] \n".len()
        + f.severity.as_str().len()
        + f.code.len()
        + f.message.len()
        + ": ".len()
        + fix
}

fn finding_text(
    s: &mut String,
    file: &str,
    text: &str,
    index: &LineIndex,
    near: &mut usize,
    f: &Finding,
) {
    let (l, c) = index.position_near(text, f.span.start, near);
    // `{file}:{line}:{column}: {severity}[{code}] {message}`, pushed piece
    // by piece straight into `s`: `writeln!` would take each piece through
    // the formatter's padding, which costs more than the copy.
    let mut number = itoa::Buffer::new();
    s.push_str(file);
    s.push(':');
    s.push_str(number.format(l + 1));
    s.push(':');
    s.push_str(number.format(c + 1));
    s.push_str(": ");
    s.push_str(f.severity.as_str());
    s.push('[');
    s.push_str(f.code);
    s.push_str("] ");
    s.push_str(&f.message);
    s.push('\n');
    if let Some(fix) = &f.fix {
        s.push_str("  = fix: ");
        s.push_str(&fix.title);
        s.push('\n');
    }
}

/// The explanation of a CPT code, modifier, ICD-10-CM code or diagnostic
/// code.
fn explain(code: &str, table: &CodeTable) -> Option<String> {
    let code = code.trim();
    if let Some(rule) = registry::rule(code) {
        return Some(format!(
            "{} ({})\n{}\n\n{}",
            rule.code,
            rule.severity.as_str(),
            rule.title,
            rule.doc
        ));
    }
    if let Some(r) = table.get(code) {
        let payment = r.nonfac_total_rvu * CONVERSION_FACTOR_2026;
        return Some(format!(
            "{code}: {}\n  family: {}{}\n  work RVU {:.2} ({}); total RVU non-facility {:.2}, facility {:.2} ({}{})\n  global period: {}\n  MUE: {}\n  estimated Medicare payment ${payment:.2} ({ESTIMATE_NOTE}, ${CONVERSION_FACTOR_2026}/RVU)\n  source: {}",
            r.description,
            r.family.as_str(),
            if r.addon {
                format!(", add-on to {}", r.addon_of.join(", "))
            } else {
                String::new()
            },
            r.work_rvu,
            r.work_year,
            r.nonfac_total_rvu,
            r.fac_total_rvu,
            r.total_year,
            if r.total_year < 2026 {
                ", a 2025 figure standing in for 2026"
            } else {
                ""
            },
            r.global.as_str(),
            r.mue.map(|m| m.to_string()).unwrap_or_else(|| {
                "not known (no public MUE row in the built-in data)".to_string()
            }),
            r.source
        ));
    }
    if let Some(m) = table.modifier(code) {
        return Some(format!(
            "modifier {}: {}\n  applies when: {}\n  source: {}",
            m.modifier, m.meaning, m.applies_when, m.source
        ));
    }
    if let Some(title) = codes::icd10_title(code) {
        let billable = codes::icd10_is_billable(code);
        return Some(format!(
            "{}: {title}\n  ICD-10-CM FY2026{}",
            code.to_uppercase(),
            if billable {
                ", billable"
            } else {
                ", a category: not billable without more characters"
            }
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// [`read_parallel`]'s check on `bytes` cut in pieces of `piece`.
    fn pieces_are_utf8(bytes: &[u8], piece: usize) -> bool {
        let runs: Option<Vec<(usize, usize)>> = bytes
            .chunks(piece)
            .enumerate()
            .map(|(k, p)| utf8_piece(p, k > 0).map(|(s, t)| (k * piece + s, k * piece + t)))
            .collect();
        runs.is_some_and(|runs| joins_are_utf8(bytes, &runs))
    }

    proptest! {
        /// Cut anywhere, in pieces of any size from four bytes (so that a
        /// character crosses at most one cut, as with [`READ_PIECE`]),
        /// text is found UTF-8 just when it is.
        #[test]
        fn utf8_in_pieces_is_utf8_whole(
            bytes in proptest::collection::vec(
                prop_oneof![
                    Just(b'a'),
                    Just(b'\n'),
                    Just(0xC3u8),
                    Just(0x97u8),
                    Just(0xE2u8),
                    Just(0x82u8),
                    Just(0xACu8),
                    Just(0xF0u8),
                    Just(0x9Fu8),
                    Just(0x98u8),
                    Just(0x80u8),
                    any::<u8>(),
                ],
                0..40,
            ),
            piece in 4usize..12,
        ) {
            prop_assert_eq!(pieces_are_utf8(&bytes, piece), std::str::from_utf8(&bytes).is_ok());
        }

        #[test]
        fn utf8_text_in_pieces_is_utf8(text in "[a\n×€😀]{0,30}", piece in 4usize..12) {
            prop_assert!(pieces_are_utf8(text.as_bytes(), piece));
        }
    }

    /// A long note is read in parallel to the same text, and a long file
    /// that is not UTF-8 gets the error of the usual read.
    #[test]
    fn long_files_read_in_parallel() {
        let dir = std::env::temp_dir().join(format!("dermls-read-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("long.derm");
        let text =
            "# Encounter 1 ×\r\n## Billing 😀\n- 11102 €\r".repeat(PARALLEL_READ as usize / 20);
        std::fs::write(&path, &text).unwrap();
        assert!(matches!(read_file(&path).unwrap(), Read::Checked(t) if t == text));
        assert_eq!(read_note(&path).unwrap(), text);
        let mut bytes = text.clone().into_bytes();
        let bad = READ_PIECE * 2 + 1;
        bytes[bad] = 0xFF;
        std::fs::write(&path, &bytes).unwrap();
        let offset = std::str::from_utf8(&bytes).unwrap_err().valid_up_to();
        assert!(
            read_note(&path)
                .unwrap_err()
                .contains(&format!("offset {offset}"))
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
