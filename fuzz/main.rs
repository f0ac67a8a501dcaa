//! A mutation fuzzer driven by `cargo test`, for the parsers that read repository text:
//! postmortem front matter, the config, the marker line, each language scanner, Rust's
//! `mod` declarations, and the whole pipeline end to end. It needs only a stable
//! toolchain (no cargo-fuzz, no libFuzzer): `cargo test` runs a short default campaign,
//! `FUZZ_ITERS=N` sets the executions per target for a long one. See `fuzz/README.md`.
//!
//! Each target runs on a worker thread, one input at a time, under a watchdog: an input
//! that panics, breaks an invariant, or runs past `DEADLINE` fails the run, and the
//! failure names the target and the file the input was saved to, which
//! `FUZZ_REPLAY=FILE` runs again. The campaign is deterministic: the mutator is a PRNG
//! seeded per target (and by `FUZZ_SEED`), so the same settings give the same inputs.
//!
//! The targets are pure functions of their input (see `targets.rs`): they read no file
//! but the repository's own seed files, read once before fuzzing starts.

mod mutate;
mod targets;

use mutate::{Rng, fnv1a, mutate};
use std::cell::RefCell;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};
use targets::{TARGETS, Target};

/// How long one input may run. Parsing the largest input takes milliseconds, even
/// unoptimised; only a hang comes near this.
const DEADLINE: Duration = Duration::from_secs(10);
/// Inputs kept beyond the seeds, per target, for having made the parser behave in a way
/// not seen before.
const MAX_DISCOVERED: usize = 256;

thread_local! {
    /// The last panic on this thread: where, and what it said.
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

fn main() {
    install_panic_hook();
    if let Some(path) = std::env::var_os("FUZZ_REPLAY") {
        replay(Path::new(&path));
        return;
    }
    let args = Args::parse();
    let selected: Vec<&'static Target> = TARGETS
        .iter()
        .filter(|t| args.filters.is_empty() || args.filters.iter().any(|f| t.name.contains(f.as_str())))
        .filter(|t| !args.skips.iter().any(|s| t.name.contains(s.as_str())))
        .collect();
    if args.list {
        for t in &selected {
            println!("{}: test", t.name);
        }
        return;
    }
    let iters = std::env::var("FUZZ_ITERS").ok().map(|v| v.parse::<usize>().expect("FUZZ_ITERS must be a number"));
    let salt = std::env::var("FUZZ_SEED").ok().map_or(0, |v| v.parse::<u64>().expect("FUZZ_SEED must be a number"));
    let runners = std::thread::available_parallelism().map_or(2, |n| n.get()).min(selected.len().max(1));
    println!("\nrunning {} fuzz targets on {runners} threads (FUZZ_ITERS={iters:?}, FUZZ_SEED={salt})", selected.len());

    let started = Instant::now();
    let queue = std::sync::Mutex::new(selected.clone().into_iter());
    let outcomes = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..runners {
            s.spawn(|| {
                loop {
                    let Some(target) = queue.lock().expect("queue").next() else { break };
                    let budget = match iters {
                        Some(n) if target.name == "end_to_end" => (n / 100).max(target.default_iters),
                        Some(n) => n,
                        None => target.default_iters,
                    };
                    let outcome = campaign(target, budget, salt);
                    println!("{}", outcome.line());
                    outcomes.lock().expect("outcomes").push(outcome);
                }
            });
        }
    });
    let mut outcomes = outcomes.into_inner().expect("outcomes");
    outcomes.sort_by_key(|o| TARGETS.iter().position(|t| t.name == o.target));
    let total: usize = outcomes.iter().map(|o| o.execs).sum();
    println!("\nfuzz summary ({:.1} s wall time):", started.elapsed().as_secs_f64());
    for o in &outcomes {
        println!("  {}", o.line());
    }
    println!("  total: {total} executions");
    let failures: Vec<String> = outcomes.iter().filter_map(|o| o.failure.clone()).collect();
    if !failures.is_empty() {
        panic!("{} fuzz target(s) failed:\n{}", failures.len(), failures.join("\n"));
    }
    println!("  none crashed, broke an invariant or hung\n");
}

/// The few arguments `cargo test` may pass on: name filters, `--skip NAME`, `--list`.
/// libtest's other options are accepted and ignored.
struct Args {
    filters: Vec<String>,
    skips: Vec<String>,
    list: bool,
}

impl Args {
    fn parse() -> Args {
        let mut args = Args { filters: Vec::new(), skips: Vec::new(), list: false };
        let mut it = std::env::args().skip(1);
        while let Some(a) = it.next() {
            match a.as_str() {
                "--list" => args.list = true,
                "--skip" => args.skips.extend(it.next()),
                "--test-threads" | "--format" | "--color" | "--logfile" | "--shuffle-seed" | "-Z" => {
                    it.next();
                }
                _ if a.starts_with('-') => {}
                _ => args.filters.push(a),
            }
        }
        args
    }
}

struct Outcome {
    target: &'static str,
    execs: usize,
    corpus: (usize, usize),
    elapsed: Duration,
    /// The slowest input's time and size: not a failure (timings are not asserted), but
    /// where to look for something slow.
    slowest: (Duration, usize),
    failure: Option<String>,
}

impl Outcome {
    fn line(&self) -> String {
        format!(
            "fuzz {:<18} {:>9} executions  corpus {:>3} -> {:<3}  {:>6.1} s  slowest {:>6.1} ms ({:>5} bytes)  {}",
            self.target,
            self.execs,
            self.corpus.0,
            self.corpus.1,
            self.elapsed.as_secs_f64(),
            self.slowest.0.as_secs_f64() * 1000.0,
            self.slowest.1,
            if self.failure.is_some() { "FAILED" } else { "ok" }
        )
    }
}

/// Runs `budget` mutated inputs (after the seeds themselves) through `target`.
fn campaign(target: &'static Target, budget: usize, salt: u64) -> Outcome {
    let started = Instant::now();
    let seeds = (target.seeds)();
    assert!(!seeds.is_empty(), "target {} has no seeds", target.name);
    let mut corpus = seeds.clone();
    let mut worker = Worker::start(target);
    let mut seen = HashSet::new();
    let mut execs = 0;
    let mut rng = Rng::for_target(target.name, salt);
    let mut current = Vec::new();
    let mut slowest = (Duration::ZERO, Vec::new());
    let fail = |worker: Worker, input: &[u8], why: Failure| -> Option<String> {
        Some(report_failure(target, worker, input, why))
    };
    for i in 0..seeds.len() + budget {
        let input = if i < seeds.len() {
            seeds[i].clone()
        } else {
            // Mostly keep mutating the last input (stacking mutations walks further from
            // the seeds); sometimes start again from a corpus entry.
            if i == seeds.len() || rng.chance(4) {
                current = rng.pick(&corpus).clone();
            }
            mutate(&mut rng, &mut current, &corpus, target.dict);
            current.clone()
        };
        execs += 1;
        let t = Instant::now();
        let result = worker.run(&input);
        if t.elapsed() > slowest.0 {
            slowest = (t.elapsed(), input.clone());
        }
        match result {
            Ok(signature) => {
                if seen.insert(signature) && i >= seeds.len() && corpus.len() < seeds.len() + MAX_DISCOVERED {
                    corpus.push(input);
                }
            }
            Err(why) => {
                let failure = fail(worker, &input, why);
                return Outcome {
                    target: target.name,
                    execs,
                    corpus: (seeds.len(), corpus.len()),
                    elapsed: started.elapsed(),
                    slowest: (slowest.0, slowest.1.len()),
                    failure,
                };
            }
        }
    }
    if std::env::var_os("FUZZ_SAVE_SLOWEST").is_some() {
        println!(
            "fuzz {}: slowest input saved to {}",
            target.name,
            save(target.name, &slowest.1, "-slowest").display()
        );
    }
    Outcome {
        target: target.name,
        execs,
        corpus: (seeds.len(), corpus.len()),
        elapsed: started.elapsed(),
        slowest: (slowest.0, slowest.1.len()),
        failure: None,
    }
}

/// Why an input failed.
enum Failure {
    Panic(String),
    Hang,
}

/// Saves the input (and, for a panic, a smaller input that still fails) and says how to
/// replay it.
fn report_failure(target: &Target, mut worker: Worker, input: &[u8], why: Failure) -> String {
    let saved = save(target.name, input, "");
    match why {
        Failure::Hang => format!(
            "fuzz target `{}` hung (no answer within {} s) on the input saved to {}\n  replay: FUZZ_REPLAY={} cargo test --test fuzz",
            target.name,
            DEADLINE.as_secs(),
            saved.display(),
            saved.display()
        ),
        Failure::Panic(message) => {
            let small = minimize(&mut worker, input);
            let small_note = match small {
                Some(small) if small.len() < input.len() => {
                    let path = save(target.name, &small, "-min");
                    format!("\n  minimized ({} of {} bytes): {}", small.len(), input.len(), path.display())
                }
                _ => String::new(),
            };
            format!(
                "fuzz target `{}` failed: {message}\n  input saved to {}{small_note}\n  replay: FUZZ_REPLAY={} cargo test --test fuzz",
                target.name,
                saved.display(),
                saved.display()
            )
        }
    }
}

/// Removes ever smaller chunks of a panicking input while it still panics. Stops at a
/// hang (the worker is then lost) or after a bounded number of tries.
fn minimize(worker: &mut Worker, input: &[u8]) -> Option<Vec<u8>> {
    let mut best = input.to_vec();
    let mut chunk = best.len() / 2;
    let mut tries = 0;
    while chunk >= 1 && tries < 4000 {
        let mut at = 0;
        let mut shrunk = false;
        while at < best.len() && tries < 4000 {
            let mut candidate = best.clone();
            candidate.drain(at..(at + chunk).min(best.len()));
            tries += 1;
            match worker.run(&candidate) {
                Err(Failure::Panic(_)) => {
                    best = candidate;
                    shrunk = true;
                }
                Err(Failure::Hang) => return Some(best),
                Ok(_) => at += chunk,
            }
        }
        if !shrunk {
            chunk /= 2;
        }
    }
    Some(best)
}

fn fuzz_dir() -> PathBuf {
    std::env::temp_dir().join("incident-guard-fuzz")
}

fn save(target: &str, input: &[u8], suffix: &str) -> PathBuf {
    let dir = fuzz_dir();
    std::fs::create_dir_all(&dir).expect("create the fuzz directory");
    let path = dir.join(format!("{target}-{:016x}{suffix}.bin", fnv1a(input)));
    std::fs::write(&path, input).expect("save the failing input");
    path
}

/// The thread a target runs on, fed one input at a time; the driver waits for each
/// answer at most `DEADLINE`. A worker that hangs is abandoned (it cannot be stopped)
/// and ends with the process.
struct Worker {
    inputs: Sender<Vec<u8>>,
    answers: Receiver<Result<u64, String>>,
}

impl Worker {
    fn start(target: &'static Target) -> Worker {
        let (inputs, rx) = mpsc::channel::<Vec<u8>>();
        let (tx, answers) = mpsc::channel();
        let trace = std::env::var_os("FUZZ_TRACE").is_some();
        // The default stack size, as the thread that scans a work tree has.
        std::thread::Builder::new()
            .name(format!("fuzz-{}", target.name))
            .spawn(move || {
                for input in rx {
                    if trace {
                        // For crashes that end the process (a stack overflow aborts):
                        // the input that was running is left in this file.
                        let _ = std::fs::create_dir_all(fuzz_dir());
                        let _ = std::fs::write(fuzz_dir().join(format!("{}-current.bin", target.name)), &input);
                    }
                    let result = std::panic::catch_unwind(|| (target.run)(&input)).map_err(|payload| {
                        LAST_PANIC.with(|p| p.borrow_mut().take()).unwrap_or_else(|| panic_message(&*payload))
                    });
                    if tx.send(result).is_err() {
                        break;
                    }
                }
            })
            .expect("start a fuzz worker");
        Worker { inputs, answers }
    }

    fn run(&mut self, input: &[u8]) -> Result<u64, Failure> {
        self.inputs.send(input.to_vec()).map_err(|_| Failure::Panic("the worker thread is gone".into()))?;
        match self.answers.recv_timeout(DEADLINE) {
            Ok(Ok(signature)) => Ok(signature),
            Ok(Err(message)) => Err(Failure::Panic(message)),
            Err(RecvTimeoutError::Timeout) => Err(Failure::Hang),
            Err(RecvTimeoutError::Disconnected) => Err(Failure::Panic("the worker thread died".into())),
        }
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_owned())
}

/// Panics on worker threads are recorded (with where they happened) for the report
/// instead of printed: minimizing an input panics thousands of times. Panics elsewhere,
/// including on threads the library starts, print as usual.
fn install_panic_hook() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if std::thread::current().name().is_some_and(|n| n.starts_with("fuzz-")) {
            let message = panic_message(info.payload());
            let at = info.location().map(|l| format!(" (at {}:{})", l.file(), l.line())).unwrap_or_default();
            LAST_PANIC.with(|p| *p.borrow_mut() = Some(format!("{message}{at}")));
        } else {
            default(info);
        }
    }));
}

/// `FUZZ_REPLAY=FILE`: runs one saved input through its target (named by the file name,
/// or by `FUZZ_TARGET`).
fn replay(path: &Path) {
    let input = std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let target = match std::env::var("FUZZ_TARGET") {
        Ok(t) => targets::by_name(&t).unwrap_or_else(|| panic!("no fuzz target named `{t}`")),
        Err(_) => TARGETS
            .iter()
            .filter(|t| name.starts_with(&format!("{}-", t.name)))
            .max_by_key(|t| t.name.len())
            .unwrap_or_else(|| panic!("cannot tell the target from the file name {name:?}; set FUZZ_TARGET")),
    };
    let mut worker = Worker::start(target);
    match worker.run(&input) {
        Ok(_) => println!("replay: target `{}` passes on {} ({} bytes)", target.name, path.display(), input.len()),
        Err(Failure::Panic(m)) => panic!("replay: target `{}` fails on {}: {m}", target.name, path.display()),
        Err(Failure::Hang) => {
            panic!("replay: target `{}` hangs on {} (over {} s)", target.name, path.display(), DEADLINE.as_secs())
        }
    }
}
