//! Comparing the links at the base revision with the links at HEAD (docs/history.md):
//! which were removed and how, which were moved or renamed, which removals a postmortem
//! retired, and which retirements are stale. Pure computation over scans; git and the
//! file system were read before this runs.

use crate::finding::Location;
use crate::postmortem::Postmortem;
use crate::scan::{FileScan, TestCase};
use std::collections::{BTreeSet, HashMap, HashSet};

/// How similar (0..1) a test at HEAD must be to a removed one to count as the same test
/// renamed or moved.
pub const MOVE_SIMILARITY: f32 = 0.8;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RemovalKind {
    /// The test no longer exists in its file.
    TestDeleted,
    /// The test still exists but no longer carries the marker.
    MarkerRemoved,
    /// The whole file is gone.
    FileDeleted,
    /// The file does not parse at HEAD, and reading it as text finds no test of that
    /// name under a marker naming the incident: the tool cannot tell it is still there.
    NotFoundInUnparsable,
}

#[derive(Clone, Debug)]
pub struct Removed {
    pub incident: String,
    pub test: String,
    pub kind: RemovalKind,
    /// Where the test stood at base.
    pub base_loc: Location,
    /// Where it stands at HEAD, when it still exists.
    pub head_loc: Option<Location>,
}

#[derive(Clone, Debug)]
pub struct Moved {
    pub incident: String,
    pub from: String,
    pub to: String,
    pub to_loc: Location,
    pub similarity: f32,
}

#[derive(Clone, Debug)]
pub struct StaleRetirement {
    pub incident: String,
    pub test: String,
    pub loc: Location,
    pub still_linked: bool,
}

#[derive(Debug, Default)]
pub struct LinkChanges {
    pub removed: Vec<Removed>,
    pub moved: Vec<Moved>,
    pub stale: Vec<StaleRetirement>,
    /// Tests at HEAD whose `#[ignore]` is new since base.
    pub ignored_since_base: HashSet<String>,
}

/// How many candidates a vanished test's body is compared with, the likeliest first (see
/// `Profile`): each comparison is a character diff of up to `MAX_BODY` bytes each, and 80
/// tests newly linked to an incident made one removal take 16 seconds.
pub const MAX_COMPARED: usize = 8;

/// What bounds two bodies' similarity from above without a diff: their lengths and how
/// many of each character they have. A diff cannot match more characters than both hold.
struct Profile {
    len: usize,
    counts: Vec<(char, u32)>,
}

impl Profile {
    fn of(text: &str) -> Profile {
        let mut counts: HashMap<char, u32> = HashMap::new();
        for c in text.chars() {
            *counts.entry(c).or_default() += 1;
        }
        let mut counts: Vec<(char, u32)> = counts.into_iter().collect();
        counts.sort_unstable();
        Profile { len: counts.iter().map(|(_, n)| *n as usize).sum(), counts }
    }

    /// The most `similarity` can be between the two.
    fn bound(&self, other: &Profile) -> f32 {
        if self.len == 0 || other.len == 0 {
            return 0.0;
        }
        let (mut i, mut j, mut common) = (0, 0, 0usize);
        while i < self.counts.len() && j < other.counts.len() {
            let (a, b) = (self.counts[i], other.counts[j]);
            match a.0.cmp(&b.0) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    common += a.1.min(b.1) as usize;
                    i += 1;
                    j += 1;
                }
            }
        }
        (2 * common) as f32 / (self.len + other.len) as f32
    }
}

/// Body similarity in 0..1 (character diff), used to recognise a renamed or moved test.
pub fn similarity(a: &str, b: &str) -> f32 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let (short, long) = if a.len() < b.len() { (a.len(), b.len()) } else { (b.len(), a.len()) };
    if (short as f32) < (long as f32) * (MOVE_SIMILARITY - 0.05) {
        return 0.0; // cannot reach the threshold; skip the diff
    }
    similar::TextDiff::configure().timeout(std::time::Duration::from_millis(200)).diff_chars(a, b).ratio()
}

/// `head` are the work tree's scans (every file with a marker, plus the changed files
/// without one); `base_files` the base scans of the files that changed; `changed` every
/// path that differs between base and the work tree; `exists` says whether a path exists
/// in the work tree.
pub fn compare(
    postmortems: &[Postmortem],
    head: &[&FileScan],
    base_files: &[FileScan],
    changed: &BTreeSet<String>,
    exists: &dyn Fn(&str) -> bool,
) -> LinkChanges {
    let mut out = LinkChanges::default();
    let head_by_path: HashMap<&str, &FileScan> = head.iter().map(|f| (f.path.as_str(), *f)).collect();
    let head_links: HashSet<(&str, &str)> = head
        .iter()
        .flat_map(|f| f.tests.iter())
        .flat_map(|t| t.links.iter().map(move |l| (l.incident.as_str(), t.id.as_str())))
        .collect();
    // A file that does not parse is read as text, where identities lack the module path:
    // such a test still stands when its file holds a test of the same name that a
    // marker links to the same incident.
    let head_by_name: HashSet<(&str, &str, &str)> = head
        .iter()
        .flat_map(|f| f.tests.iter())
        .flat_map(|t| t.links.iter().map(move |l| (l.incident.as_str(), t.loc.path.as_str(), t.name.as_str())))
        .collect();
    let base_tests: Vec<&TestCase> = base_files.iter().flat_map(|f| f.tests.iter()).collect();
    let base_links: HashSet<(&str, &str)> =
        base_tests.iter().flat_map(|t| t.links.iter().map(move |l| (l.incident.as_str(), t.id.as_str()))).collect();
    let retired = |incident: &str, test: &str| {
        postmortems.iter().filter(|p| p.id == incident).any(|p| p.retired_tests.iter().any(|r| r.test == test))
    };

    let mut done: HashSet<(&str, &str)> = HashSet::new();
    // Each body's profile, made once however many removals it is weighed against.
    let mut profiles: HashMap<usize, Profile> = HashMap::new();
    for bt in &base_tests {
        for link in &bt.links {
            let key = (link.incident.as_str(), bt.id.as_str());
            if head_links.contains(&key) || !done.insert(key) || retired(key.0, key.1) {
                continue;
            }
            let path = bt.loc.path.as_str();
            let head_file = head_by_path.get(path);
            let head_unparsable = head_file.is_some_and(|f| f.unparsable.is_some());
            if (head_unparsable || bt.approximate) && head_by_name.contains(&(key.0, path, bt.name.as_str())) {
                continue;
            }
            // Renamed or moved: a test newly linked to the same incident, with a body like it.
            // Only the likeliest few are compared (`MAX_COMPARED`), by what their character
            // counts allow; one that cannot reach the threshold is not compared at all.
            let mine = Profile::of(bt.body.as_str());
            let mut bound = |t: &TestCase| -> f32 {
                // Keyed by where the test stands: each is one of `head`'s, borrowed throughout.
                profiles
                    .entry(t as *const TestCase as usize)
                    .or_insert_with(|| Profile::of(t.body.as_str()))
                    .bound(&mine)
            };
            let mut candidates: Vec<(f32, &TestCase)> = head
                .iter()
                .filter(|f| changed.contains(&f.path))
                .flat_map(|f| f.tests.iter())
                .filter(|t| t.id != bt.id && t.links.iter().any(|l| l.incident == link.incident))
                .filter(|t| !base_links.contains(&(link.incident.as_str(), t.id.as_str())))
                .map(|t| (bound(t), t))
                .filter(|(bound, _)| *bound >= MOVE_SIMILARITY)
                .collect();
            candidates.sort_by(|a, b| b.0.total_cmp(&a.0));
            let best = candidates
                .into_iter()
                .take(MAX_COMPARED)
                .map(|(_, t)| (similarity(bt.body.as_str(), t.body.as_str()), t))
                .max_by(|a, b| a.0.total_cmp(&b.0));
            if let Some((score, t)) = best
                && score >= MOVE_SIMILARITY
            {
                out.moved.push(Moved {
                    incident: link.incident.clone(),
                    from: bt.id.clone(),
                    to: t.id.clone(),
                    to_loc: t.loc.clone(),
                    similarity: score,
                });
                continue;
            }
            let still_there = head_file.and_then(|f| f.tests.iter().find(|t| t.id == bt.id));
            let kind = match (exists(path), still_there) {
                (false, _) => RemovalKind::FileDeleted,
                (true, _) if head_unparsable => RemovalKind::NotFoundInUnparsable,
                (true, Some(_)) => RemovalKind::MarkerRemoved,
                (true, None) => RemovalKind::TestDeleted,
            };
            out.removed.push(Removed {
                incident: link.incident.clone(),
                test: bt.id.clone(),
                kind,
                base_loc: bt.loc.clone(),
                head_loc: still_there.map(|t| t.loc.clone()),
            });
        }
    }

    for pm in postmortems {
        for r in &pm.retired_tests {
            let still_linked = head_links.contains(&(pm.id.as_str(), r.test.as_str()));
            if still_linked || !base_links.contains(&(pm.id.as_str(), r.test.as_str())) {
                out.stale.push(StaleRetirement {
                    incident: pm.id.clone(),
                    test: r.test.clone(),
                    loc: r.loc.clone(),
                    still_linked,
                });
            }
        }
    }

    for t in head.iter().filter(|f| changed.contains(&f.path)).flat_map(|f| f.tests.iter()) {
        if t.ignored.is_some() && !t.links.is_empty() && base_tests.iter().any(|b| b.id == t.id && b.ignored.is_none())
        {
            out.ignored_since_base.insert(t.id.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::similarity;

    #[test]
    fn renamed_test_is_similar_rewritten_test_is_not() {
        let a = "#[test]\nfn pool_reconnects() {\n    let pool = Pool::new(2);\n    pool.failover();\n    assert!(pool.get().is_ok());\n}";
        let renamed = a.replace("pool_reconnects", "pool_reconnects_after_failover");
        assert!(similarity(a, &renamed) >= 0.8);
        let other = "#[test]\nfn cart_total() {\n    assert_eq!(Cart::default().total(), Money::zero());\n}";
        assert!(similarity(a, other) < 0.8);
        assert_eq!(similarity("", a), 0.0);
    }
}
