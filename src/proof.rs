//! Proof that lasts: the lock file `verify --record` writes beside the postmortems, one
//! entry per linked test it verified, so that `check` knows which links carry a current
//! proof without running any test. An entry is current while the test's own text is the
//! one that was verified: its blob id (git's hash of the text, as the scanner reads the
//! test) is recorded, and any edit of the test changes it.
//!
//! The file is `verified.lock`: a `.lock` file is never read as a postmortem (those are
//! `.md` and `.toml`), by this version or an older one, and like `Cargo.lock` it is
//! written by the tool, not by hand. It is TOML, sorted by incident and test, so that two
//! branches that verify different tests merge without conflict.

use anyhow::{Context as _, Result, bail};
use serde::{Deserialize, Serialize};
use std::path::Path;

pub const FILE_NAME: &str = "verified.lock";

/// The largest lock file read (some hundred thousand proofs).
const MAX_LOCK_BYTES: u64 = 64 << 20;

/// Replaces `dir/name` with `bytes`: written to a new file beside it (a random name,
/// created, never opened through a link) and renamed over it, so that a link at `name`
/// is replaced, never written through, and no reader sees half a file.
pub fn write_replacing(dir: &Path, name: &str, bytes: &[u8]) -> Result<()> {
    use std::io::Write as _;
    let target = dir.join(name);
    if let Ok(m) = std::fs::symlink_metadata(&target)
        && !m.file_type().is_file()
    {
        bail!("{} is not a regular file (a symbolic link?): nothing is written through it", target.display());
    }
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .tempfile_in(dir)
        .with_context(|| format!("cannot create a file in {}", dir.display()))?;
    tmp.write_all(bytes)?;
    // A file of the repository, as `git checkout` would make it (tempfile makes 0600).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        tmp.as_file().set_permissions(std::fs::Permissions::from_mode(0o644))?;
    }
    tmp.as_file().sync_all()?;
    tmp.persist(&target).map_err(|e| e.error).with_context(|| format!("cannot replace {}", target.display()))?;
    Ok(())
}
const FORMAT_VERSION: u32 = 1;

/// What running a linked test without and with its fix showed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// Fails without the fix, passes with it: the test would have caught the incident.
    Caught,
    /// Passes without the fix: it would not have caught the incident.
    DoesNotCatch,
    /// Does not pass with the fix: broken, or flaky.
    FailsWithFix,
    /// Does not build without the fix, passes with it: weaker evidence, since the test may
    /// only use an API the fix added.
    DoesNotBuildWithoutFix,
    /// A run took longer than the timeout.
    Timeout,
    /// The test could not be run: no command for its language, or the command ran no test.
    NotRunnable,
    /// No fix commit could be found, so there is no "without the fix" to run.
    Unverifiable,
}

impl Outcome {
    pub const ALL: &'static [Outcome] = &[
        Outcome::Caught,
        Outcome::DoesNotCatch,
        Outcome::FailsWithFix,
        Outcome::DoesNotBuildWithoutFix,
        Outcome::Timeout,
        Outcome::NotRunnable,
        Outcome::Unverifiable,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Caught => "caught",
            Outcome::DoesNotCatch => "does-not-catch",
            Outcome::FailsWithFix => "fails-with-fix",
            Outcome::DoesNotBuildWithoutFix => "does-not-build-without-fix",
            Outcome::Timeout => "timeout",
            Outcome::NotRunnable => "not-runnable",
            Outcome::Unverifiable => "unverifiable",
        }
    }

    /// Whether the test was run both ways, so that the outcome says something about the
    /// test and can be recorded.
    pub fn recordable(self) -> bool {
        !matches!(self, Outcome::NotRunnable | Outcome::Unverifiable)
    }
}

/// One recorded verification.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Proof {
    pub incident: String,
    /// The test's identity.
    pub test: String,
    /// Git's blob id of the test's own text when it was verified (see `test_blob`).
    pub test_blob: String,
    /// The commit the test passed with: the (last) fix commit, or HEAD with `--at-head`.
    pub fix: String,
    /// The commit the test ran at without the fix: the parent of the first fix commit.
    pub without: String,
    pub outcome: Outcome,
    /// The incident-guard that verified it, `incident-guard 0.1.0`.
    pub tool: String,
}

impl Proof {
    /// The proof in a few words: "caught: fails without a1b2c3d, passes with it".
    pub fn describe(&self) -> String {
        let fix = short(&self.fix);
        let how = match self.outcome {
            Outcome::Caught => format!("fails without {fix}, passes with it"),
            Outcome::DoesNotCatch => format!("passes without {fix}"),
            Outcome::FailsWithFix => format!("fails with {fix}"),
            Outcome::DoesNotBuildWithoutFix => format!("does not build without {fix}, passes with it"),
            Outcome::Timeout => format!("timed out against {fix}"),
            Outcome::NotRunnable => "could not be run".to_owned(),
            Outcome::Unverifiable => "no fix commit to verify against".to_owned(),
        };
        format!("{}: {how}", self.outcome.as_str())
    }
}

/// The first 7 characters of a SHA, as git abbreviates.
pub fn short(sha: &str) -> &str {
    &sha[..7.min(sha.len())]
}

/// The lock file's contents.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Lock {
    pub proofs: Vec<Proof>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Document {
    version: u32,
    #[serde(default)]
    proof: Vec<Proof>,
}

/// Git's blob id of a test's text: what `git hash-object` gives for a file holding it.
pub fn test_blob(text: &str) -> String {
    git2::Oid::hash_object(git2::ObjectType::Blob, text.as_bytes()).map(|o| o.to_string()).unwrap_or_default()
}

/// The tool that records a proof.
pub fn tool() -> String {
    format!("incident-guard {}", env!("CARGO_PKG_VERSION"))
}

impl Lock {
    /// Reads the lock file at `path`; none there is an empty lock. `display` names it in
    /// errors: a lock file that cannot be read stops the run, as a broken config does.
    pub fn read(path: &Path, display: &str) -> Result<Lock> {
        // A committed link could point anywhere (`/dev/zero`, a file outside the
        // repository): the lock file must be a regular file of its own.
        match std::fs::symlink_metadata(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Lock::default()),
            Err(e) => return Err(e).with_context(|| format!("cannot read {display}")),
            Ok(m) if !m.file_type().is_file() => bail!(
                "{display} is {}, not a regular file: a lock file of proofs is never read or written through a link; replace it with the file itself",
                if m.file_type().is_symlink() { "a symbolic link" } else { "a special file" }
            ),
            Ok(_) => {}
        }
        // Opened without following a link, so none can be swapped in after the look above.
        let bytes =
            crate::paths::read_regular_up_to(path, MAX_LOCK_BYTES).with_context(|| format!("cannot read {display}"))?;
        let text = String::from_utf8(bytes).with_context(|| format!("{display} is not UTF-8"))?;
        if crate::toml_doc::too_deep(&text).is_some() {
            bail!("{display} is not a lock file of proofs: {}", crate::toml_doc::too_deep_message());
        }
        let doc: Document = toml::from_str(&text).map_err(|e| {
            anyhow::anyhow!(
                "{display} is not a lock file of proofs: {}; run `incident-guard verify --record` again to rewrite it (after a merge conflict, take either side first)",
                e.message().trim_end()
            )
        })?;
        if doc.version != FORMAT_VERSION {
            bail!("{display} has version {}, and this incident-guard reads version {FORMAT_VERSION}", doc.version);
        }
        Ok(Lock { proofs: doc.proof })
    }

    /// The text of the lock file.
    pub fn render(&self) -> String {
        let mut proofs = self.proofs.clone();
        proofs.sort_by(|a, b| (&a.incident, &a.test).cmp(&(&b.incident, &b.test)));
        let doc = Document { version: FORMAT_VERSION, proof: proofs };
        let body = toml::to_string(&doc).unwrap_or_default();
        format!(
            "# Proofs that linked tests catch their incidents, written by `incident-guard verify --record`.\n# A proof is current while the test's text has the blob id `test_blob`. Do not edit by hand.\n{body}"
        )
    }

    /// The proof recorded for a link, current or not.
    pub fn find(&self, incident: &str, test: &str) -> Option<&Proof> {
        self.proofs.iter().find(|p| p.incident == incident && p.test == test)
    }

    /// Records `proof`, replacing the one for the same link.
    pub fn record(&mut self, proof: Proof) {
        self.proofs.retain(|p| !(p.incident == proof.incident && p.test == proof.test));
        self.proofs.push(proof);
    }
}

/// What the lock file says about a link, for its test's current text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Standing<'a> {
    /// A proof for the test as it is now.
    Current(&'a Proof),
    /// A proof for an earlier text of the test.
    Stale(&'a Proof),
    None,
}

impl Lock {
    /// The standing of the link (`incident`, `test`) whose test's text is `body`.
    pub fn standing(&self, incident: &str, test: &str, body: &str) -> Standing<'_> {
        match self.find(incident, test) {
            Some(p) if p.test_blob == test_blob(body) => Standing::Current(p),
            Some(p) => Standing::Stale(p),
            None => Standing::None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proof(test: &str, outcome: Outcome) -> Proof {
        Proof {
            incident: "INC-1".into(),
            test: test.into(),
            test_blob: test_blob("fn t() {}"),
            fix: "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678".into(),
            without: "0000000000000000000000000000000000000001".into(),
            outcome,
            tool: tool(),
        }
    }

    #[test]
    fn a_lock_file_round_trips_sorted_and_a_record_replaces_its_link() {
        let mut lock = Lock::default();
        lock.record(proof("tests/b.rs::b", Outcome::Caught));
        lock.record(proof("tests/a.rs::a", Outcome::DoesNotCatch));
        lock.record(proof("tests/b.rs::b", Outcome::FailsWithFix));
        let text = lock.render();
        assert!(text.find("tests/a.rs::a").unwrap() < text.find("tests/b.rs::b").unwrap(), "{text}");
        assert!(text.contains("outcome = \"fails-with-fix\""), "{text}");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        std::fs::write(&path, &text).unwrap();
        let read = Lock::read(&path, FILE_NAME).unwrap();
        assert_eq!(read.proofs.len(), 2);
        assert_eq!(read.find("INC-1", "tests/b.rs::b").unwrap().outcome, Outcome::FailsWithFix);
        assert_eq!(Lock::read(&dir.path().join("none"), "none").unwrap(), Lock::default());
        std::fs::write(&path, "<<<<<<< HEAD\n").unwrap();
        let err = Lock::read(&path, FILE_NAME).unwrap_err().to_string();
        assert!(err.contains("verify --record"), "{err}");
    }

    #[test]
    fn a_proof_is_current_while_the_test_text_is_the_same() {
        let mut lock = Lock::default();
        lock.record(proof("tests/a.rs::a", Outcome::Caught));
        assert!(matches!(lock.standing("INC-1", "tests/a.rs::a", "fn t() {}"), Standing::Current(_)));
        assert!(matches!(lock.standing("INC-1", "tests/a.rs::a", "fn t() { x() }"), Standing::Stale(_)));
        assert_eq!(lock.standing("INC-2", "tests/a.rs::a", "fn t() {}"), Standing::None);
        // `git hash-object` of the same text.
        assert_eq!(test_blob("hello\n"), "ce013625030ba8dba906f756967f9e9ca394464a");
        assert_eq!(proof("x", Outcome::Caught).describe(), "caught: fails without a1b2c3d, passes with it");
    }
}
