//! The one walk over the history that finds the commits behind action items: every
//! commit reachable from HEAD whose message names `INCIDENT#ITEM` as a whole token.
//!
//! The walk reads commits newest first and reads no commit for evidence from before a
//! month before the earliest incident that has action items: an item's ID is made after
//! its incident, so no older commit can name it (`CLOCK_SLACK_DAYS` allows for clocks that
//! were a little wrong when a commit was made, `SLOP` for a few that were far behind). With a cache (`--cache DIR`), the commits below the HEAD of a
//! run whose results it holds are not read again (see `Cache`). Whatever is skipped, the
//! evidence is the same as reading every commit; what could not be read is still
//! reported as missing, never as a pass.

use super::{Evidence, LogState, item_ref};
use crate::postmortem::Postmortem;
use git2::{Odb, Oid, Repository};
use std::collections::{BinaryHeap, HashMap};
use std::path::Path;

/// How long before an incident's date a commit may say it was made and still be read: a
/// commit naming an action item is made after the incident, but its recorded time is the
/// clock of the machine that made it, which can be wrong. A month covers any clock that
/// was merely off.
pub const CLOCK_SLACK_DAYS: i64 = 30;

/// How many commits older than the cutoff the walk still goes through before it stops,
/// as `git log --since` does: one commit whose clock was years behind must not hide the
/// history behind it.
const SLOP: usize = 5;

/// The commit time before which no commit can name an action item of `postmortems`: a
/// month before the earliest incident with action items. `None` (read everything) when
/// one of them has no date.
pub fn cutoff(postmortems: &[Postmortem]) -> Option<i64> {
    let mut earliest: Option<i64> = None;
    for pm in postmortems.iter().filter(|p| !p.action_items.is_empty()) {
        let days = pm.date?.days();
        earliest = Some(earliest.map_or(days, |e| e.min(days)));
    }
    earliest.map(|days| (days - CLOCK_SLACK_DAYS) * 86_400)
}

/// The references to every action item, sorted.
pub fn refs(postmortems: &[Postmortem]) -> Vec<String> {
    let mut refs: Vec<String> =
        postmortems.iter().flat_map(|p| p.action_items.iter().map(|a| item_ref(&p.id, &a.id))).collect();
    refs.sort();
    refs.dedup();
    refs
}

/// One walk over the commits reachable from HEAD, matching every action item's reference
/// at once; `cache` is the `--cache` directory.
pub fn walk(
    repo: &Repository,
    postmortems: &[Postmortem],
    shallow: bool,
    cache: Option<&Path>,
) -> (HashMap<String, Vec<Evidence>>, LogState, FixTrees) {
    let refs = refs(postmortems);
    let log = if shallow { LogState::Shallow } else { LogState::Complete };
    if refs.is_empty() {
        return (HashMap::new(), log, HashMap::new());
    }
    let matcher = Matcher::new(&refs);
    let Ok(head) = repo.head().and_then(|h| h.peel_to_commit()).map(|c| c.id()) else {
        return (HashMap::new(), log, HashMap::new()); // no commits yet: nothing to find, and nothing missing
    };
    let odb = match repo.odb() {
        Ok(o) => o,
        Err(e) => return (HashMap::new(), LogState::Failed(e.message().to_owned()), HashMap::new()),
    };
    let cutoff = cutoff(postmortems);
    let walker = Walker { odb: &odb, matcher: &matcher, refs: &refs, cutoff, shallow };
    // A shallow clone's walk stops at its boundary: nothing it finds is complete enough
    // to remember, and nothing remembered stands in for what the clone lacks.
    let cache = cache.filter(|_| !shallow).map(|dir| Cache { dir });
    // The newest remembered run whose HEAD is this one's or below it. Asked of git's
    // merge-base search, which goes no further back than where the two histories meet:
    // letting the walk find out instead cost a whole walk whenever the newest entry was
    // another branch's (the base branch moved on since a pull request left it).
    let known = cache.as_ref().and_then(|c| {
        c.usable(&refs, cutoff)
            .into_iter()
            .find(|e| e.tip().is_some_and(|tip| tip == head || repo.graph_descendant_of(head, tip).unwrap_or(false)))
    });
    let mut found = None;
    if let Some(entry) = &known {
        match walker.run(head, entry.tip()) {
            // The remembered run's HEAD is below this one: what it found stands, if each
            // of its commits still says so.
            Ok(Some(mut above)) => {
                if let Some(below) = entry.verified(&odb, &refs, &matcher) {
                    above.refs.extend(below);
                    found = Some(above);
                }
            }
            // Not reached after all: read everything.
            Ok(None) => {}
            Err(e) => return (HashMap::new(), LogState::Failed(e), HashMap::new()),
        }
    }
    let Walked { refs: found, trees } = match found {
        Some(found) => found,
        None => match walker.run(head, None) {
            Ok(found) => found.unwrap_or_default(),
            Err(e) => return (HashMap::new(), LogState::Failed(e), HashMap::new()),
        },
    };
    let mut evidence: HashMap<String, Vec<Evidence>> = HashMap::new();
    for (r, e) in found {
        evidence.entry(r).or_default().push(e);
    }
    // Newest first, whatever order the walk took; a commit once per item.
    for list in evidence.values_mut() {
        list.sort_by(|a, b| b.time.cmp(&a.time).then_with(|| a.sha.cmp(&b.sha)));
        list.dedup();
    }
    if let Some(cache) = &cache {
        cache.save(head, cutoff, &refs, &evidence);
    }
    (evidence, log, trees)
}

/// The trees of the commits the walk found naming an item, by full SHA: the commit's own
/// and its first parent's (`None` for a root commit). The walk read both commits already;
/// the fix commits' diffs (see `fixes`) then need not read them again. A commit whose
/// parent the walk did not read (a shallow clone's boundary) is not here.
pub type FixTrees = HashMap<String, (Oid, Option<Oid>)>;

/// What one walk found: each reference with the commit naming it, and those commits'
/// trees (see `FixTrees`).
#[derive(Default)]
struct Walked {
    refs: Vec<(String, Evidence)>,
    trees: FixTrees,
}

/// Finds references to action items in a commit message: at each `#`, the incident ID
/// that ends there (the run of ID characters before it, whole) and each item ID that can
/// end after it, looked up among the references. Its cost does not grow with the number
/// of items: an automaton of 100,000 references took seconds to build.
struct Matcher<'a> {
    refs: HashMap<&'a [u8], usize>,
}

impl<'a> Matcher<'a> {
    fn new(refs: &'a [String]) -> Matcher<'a> {
        Matcher { refs: refs.iter().enumerate().map(|(i, r)| (r.as_bytes(), i)).collect() }
    }

    /// The index of each reference `message` names as a whole token, once each.
    fn find(&self, message: &[u8]) -> Vec<usize> {
        let id = |b: u8| crate::postmortem::is_id_char(char::from(b));
        let mut out = Vec::new();
        for hash in memchr::memchr_iter(b'#', message) {
            let start = message[..hash].iter().rposition(|&b| !id(b)).map_or(0, |p| p + 1);
            if start == hash {
                continue;
            }
            let end = message[hash + 1..].iter().position(|&b| !id(b)).map_or(message.len(), |p| hash + 1 + p);
            // The item ID may end at the end of the run, or before a `.` in it (a full
            // stop after the reference).
            for e in hash + 2..=end {
                if (e == end || message[e] == b'.')
                    && let Some(&i) = self.refs.get(&message[start..e])
                    && super::whole_token(message, start, e)
                {
                    out.push(i);
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

struct Walker<'a> {
    odb: &'a Odb<'a>,
    matcher: &'a Matcher<'a>,
    refs: &'a [String],
    cutoff: Option<i64>,
    shallow: bool,
}

/// A commit read from the object database, waiting in the walk's queue.
struct Queued {
    time: i64,
    oid: Oid,
    parents: Vec<Oid>,
    message: Vec<u8>,
}

impl PartialEq for Queued {
    fn eq(&self, other: &Queued) -> bool {
        (self.time, self.oid) == (other.time, other.oid)
    }
}
impl Eq for Queued {}
impl PartialOrd for Queued {
    fn partial_cmp(&self, other: &Queued) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Queued {
    fn cmp(&self, other: &Queued) -> std::cmp::Ordering {
        (self.time, self.oid).cmp(&(other.time, other.oid))
    }
}

/// What the walk knows of a commit it has queued.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mark {
    /// Reachable from HEAD, to be read.
    Wanted,
    /// Below the remembered run's HEAD: already read by that run.
    Known,
}

impl Walker<'_> {
    /// The references found in the commits reachable from `head`, newest first by
    /// commit time, leaving out those below `known` (the HEAD of a remembered run). With
    /// `known`, `None` when the walk never reached it: the run's results do not apply.
    fn run(&self, head: Oid, known: Option<Oid>) -> Result<Option<Walked>, String> {
        let mut found = Vec::new();
        // Each commit met, whether it still waits in the queue, and its tree.
        let mut marks: HashMap<Oid, (Mark, bool, Oid)> = HashMap::new();
        // Commits that name an item: their tree and first parent.
        let mut named: Vec<(Oid, Oid, Option<Oid>)> = Vec::new();
        let mut slop = SLOP;
        let mut queue: BinaryHeap<Queued> = BinaryHeap::new();
        // Wanted commits still in the queue: the walk ends when none is left.
        let mut wanted = 0usize;
        let mut reached_known = known.is_none();
        if let Some(k) = known {
            self.push(k, Mark::Known, &mut marks, &mut queue, &mut wanted)?;
            if k == head {
                return Ok(Some(Walked::default()));
            }
        }
        self.push(head, Mark::Wanted, &mut marks, &mut queue, &mut wanted)?;
        while wanted > 0 {
            let Some(commit) = queue.pop() else { break };
            let Some((mark, queued, tree)) = marks.get_mut(&commit.oid) else { continue };
            *queued = false;
            let (mark, tree) = (*mark, *tree);
            if mark == Mark::Wanted {
                wanted -= 1;
            }
            // No commit older than the cutoff can name an item, and what lies below it is
            // older still, but for clocks that were wrong: the slack allows for a clock a
            // little behind, the slop for a few commits far behind.
            if self.cutoff.is_some_and(|c| commit.time < c) {
                if slop == 0 {
                    continue;
                }
                slop -= 1;
            } else {
                slop = SLOP;
                if mark == Mark::Wanted && self.scan(&commit, &mut found) {
                    named.push((commit.oid, tree, commit.parents.first().copied()));
                }
            }
            for &parent in &commit.parents {
                if mark == Mark::Wanted && Some(parent) == known {
                    reached_known = true;
                }
                self.push(parent, mark, &mut marks, &mut queue, &mut wanted)?;
            }
        }
        // A parent the walk did not read (a shallow clone's boundary): the diff reads it.
        let trees = named
            .into_iter()
            .filter_map(|(oid, tree, parent)| {
                let parent_tree = match parent {
                    Some(p) => Some(marks.get(&p)?.2),
                    None => None,
                };
                Some((oid.to_string(), (tree, parent_tree)))
            })
            .collect();
        Ok(reached_known.then_some(Walked { refs: found, trees }))
    }

    /// Queues a commit, or marks it known if it is queued or read already.
    fn push(
        &self,
        oid: Oid,
        mark: Mark,
        marks: &mut HashMap<Oid, (Mark, bool, Oid)>,
        queue: &mut BinaryHeap<Queued>,
        wanted: &mut usize,
    ) -> Result<(), String> {
        if let Some((old, queued, _)) = marks.get_mut(&oid) {
            // Below the remembered HEAD after all: read by that run. If it is still
            // queued, the walk no longer waits for it.
            if mark == Mark::Known && *old == Mark::Wanted {
                *old = Mark::Known;
                if *queued {
                    *wanted -= 1;
                }
            }
            return Ok(());
        }
        let object = match self.odb.read(oid) {
            Ok(o) => o,
            // Beyond the boundary of a shallow clone (already reported as such).
            Err(_) if self.shallow => return Ok(()),
            Err(e) => return Err(format!("cannot read commit {oid}: {}", e.message())),
        };
        let (header, message) = super::commit_parts(object.data());
        let mut time = 0;
        let mut parents = Vec::new();
        let mut tree = Oid::zero();
        for line in header.split(|&b| b == b'\n') {
            if let Some(hex) = line.strip_prefix(b"tree ") {
                tree = std::str::from_utf8(hex).ok().and_then(|h| Oid::from_str(h.trim()).ok()).unwrap_or(tree);
            } else if let Some(hex) = line.strip_prefix(b"parent ") {
                if let Some(parent) = std::str::from_utf8(hex).ok().and_then(|h| Oid::from_str(h.trim()).ok()) {
                    parents.push(parent);
                }
            } else if let Some(rest) = line.strip_prefix(b"committer ") {
                time = std::str::from_utf8(rest)
                    .ok()
                    .and_then(|r| r.rsplit(' ').nth(1))
                    .and_then(|t| t.parse().ok())
                    .unwrap_or(0);
            }
        }
        marks.insert(oid, (mark, true, tree));
        if mark == Mark::Wanted {
            *wanted += 1;
        }
        let message = if mark == Mark::Wanted { message.to_vec() } else { Vec::new() };
        queue.push(Queued { time, oid, parents, message });
        Ok(())
    }

    /// Adds the references `commit` names to `found`; whether it names any.
    fn scan(&self, commit: &Queued, found: &mut Vec<(String, Evidence)>) -> bool {
        let refs = self.matcher.find(&commit.message);
        for &p in &refs {
            found.push((self.refs[p].clone(), Evidence { sha: commit.oid.to_string(), time: commit.time }));
        }
        !refs.is_empty()
    }
}

/// What the walks of earlier runs found, kept in a directory between runs (`--cache DIR`;
/// the Action keeps it with `actions/cache`). A run's entry says: every commit reachable
/// from `tip` and not older than `cutoff` was read, and these are the commits that name
/// these references. A later run uses the newest entry whose `tip` it reaches from its
/// HEAD, whose references include all of its own and which read back at least as far:
/// it reads only the commits above that tip, and re-reads each remembered evidence commit
/// to check that it exists and names its item. Anything else (another repository,
/// rewritten history, a new action item or an earlier incident, a shallow clone, a file
/// that does not parse) makes the run read the history as if there were no cache.
struct Cache<'a> {
    dir: &'a Path,
}

/// The cache file's format; a file of another version is ignored.
const CACHE_VERSION: u32 = 1;
/// How many runs' entries the cache keeps, newest first.
const CACHE_ENTRIES: usize = 4;

#[derive(serde::Serialize, serde::Deserialize)]
struct CacheFile {
    version: u32,
    entries: Vec<CacheEntry>,
}

#[derive(Clone, serde::Serialize, serde::Deserialize)]
struct CacheEntry {
    tip: String,
    cutoff: Option<i64>,
    refs: Vec<String>,
    /// `[reference, sha, commit time]`.
    evidence: Vec<(String, String, i64)>,
}

impl CacheEntry {
    fn tip(&self) -> Option<Oid> {
        Oid::from_str(&self.tip).ok()
    }

    /// The remembered evidence for `refs`, each commit read again; `None` if one is
    /// missing or does not name its item (the cache is then not trusted at all).
    /// The references are matched as the walk matches them (`Matcher`).
    fn verified(&self, odb: &Odb, refs: &[String], matcher: &Matcher) -> Option<Vec<(String, Evidence)>> {
        let mut out = Vec::new();
        let mut named: HashMap<&str, Vec<usize>> = HashMap::new();
        for (r, sha, time) in &self.evidence {
            let Ok(index) = refs.binary_search(r) else { continue };
            if !named.contains_key(sha.as_str()) {
                let object = odb.read(Oid::from_str(sha).ok()?).ok()?;
                named.insert(sha, matcher.find(super::commit_parts(object.data()).1));
            }
            if !named[sha.as_str()].contains(&index) {
                return None;
            }
            out.push((r.clone(), Evidence { sha: sha.clone(), time: *time }));
        }
        Some(out)
    }
}

impl Cache<'_> {
    const FILE: &'static str = "incident-guard-history.json";

    fn load(&self) -> Vec<CacheEntry> {
        match super::cache_file::load::<CacheFile>(self.dir, Self::FILE) {
            Some(f) if f.version == CACHE_VERSION => f.entries,
            _ => Vec::new(),
        }
    }

    /// The entries that cover `refs` back to `cutoff`, newest first.
    fn usable(&self, refs: &[String], cutoff: Option<i64>) -> Vec<CacheEntry> {
        self.load()
            .into_iter()
            .filter(|e| {
                let far_enough = match (e.cutoff, cutoff) {
                    (None, _) => true,
                    (Some(_), None) => false,
                    (Some(theirs), Some(ours)) => theirs <= ours,
                };
                far_enough && e.tip().is_some() && refs.iter().all(|r| e.refs.binary_search(r).is_ok())
            })
            .collect()
    }

    /// Records this run's walk as the newest entry. A cache that cannot be written is
    /// only a slower next run.
    fn save(&self, head: Oid, cutoff: Option<i64>, refs: &[String], evidence: &HashMap<String, Vec<Evidence>>) {
        let mut found: Vec<(String, String, i64)> = evidence
            .iter()
            .flat_map(|(r, list)| list.iter().map(move |e| (r.clone(), e.sha.clone(), e.time)))
            .collect();
        found.sort();
        let entry = CacheEntry { tip: head.to_string(), cutoff, refs: refs.to_vec(), evidence: found };
        let mut entries = vec![entry];
        entries.extend(self.load().into_iter().filter(|e| e.tip != head.to_string()).take(CACHE_ENTRIES - 1));
        super::cache_file::save(self.dir, Self::FILE, &CacheFile { version: CACHE_VERSION, entries });
    }
}
