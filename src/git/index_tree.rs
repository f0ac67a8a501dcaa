//! The base commit compared with the index, a subtree at a time. libgit2's tree-to-index
//! diff reads every tree of the base, however little changed: 10,000 trees from the pack
//! on a repository of 100,000 files, a third of a second. Here the index's own trees are
//! hashed in memory, as `git write-tree` would write them (nothing is written), and a base
//! subtree whose ID is the index's is the same files and is not read. Where the hashes
//! cannot agree the walk goes down and compares entry by entry, so they decide only how
//! much is read, never what is found.

use git2::{Index, Oid, Repository, Tree};
use std::collections::HashSet;
use std::io::Write;

/// A file whose entry differs between the base and the index: its path from the top of
/// the repository, and its blob at the base (`None` when the base has no file there).
pub type Change = (String, Option<Oid>);

const TREE: u32 = 0o040000;
const GITLINK: u32 = 0o160000;
const TYPE: u32 = 0o170000;
/// An entry's stage, in its flags: non-zero during a conflict.
const STAGE: u16 = 0x3000;

/// The files under `prefix` (git's, `/`-separated; empty for all) whose entries differ
/// between `base` and `index`, as libgit2's tree-to-index diff would list them with
/// submodules ignored. `None` when the index cannot be read as trees (a conflict, a
/// sparse index's directory entry, entries out of order): the caller then asks libgit2.
pub fn changes(repo: &Repository, index: &Index, base: &Tree, prefix: &str) -> Option<Vec<Change>> {
    let under = if prefix.is_empty() { String::new() } else { format!("{prefix}/") };
    let mut entries = Vec::with_capacity(index.len());
    for e in index.iter() {
        if e.flags & STAGE != 0 || e.mode & TYPE == TREE {
            return None;
        }
        if e.path.starts_with(under.as_bytes()) {
            entries.push(Entry { path: e.path, mode: e.mode, id: e.id });
        }
    }
    if entries.windows(2).any(|w| w[0].path >= w[1].path) {
        return None;
    }
    let top = build(&entries, under.len());
    let base_top = if prefix.is_empty() {
        Some(base.clone())
    } else {
        match base.get_path(std::path::Path::new(prefix)) {
            Ok(e) if e.kind() == Some(git2::ObjectType::Tree) => Some(repo.find_tree(e.id()).ok()?),
            _ => None,
        }
    };
    let mut out = Vec::new();
    compare(repo, base_top.as_ref(), Some(&top), &under, &mut out).ok()?;
    Some(out)
}

struct Entry {
    path: Vec<u8>,
    mode: u32,
    id: Oid,
}

/// A directory of the index, as a tree: its ID and its entries in git's order.
struct Dir<'e> {
    id: Oid,
    entries: Vec<DirEntry<'e>>,
}

struct DirEntry<'e> {
    name: &'e [u8],
    mode: u32,
    id: Oid,
    /// The directory, for a tree entry.
    dir: Option<Dir<'e>>,
}

/// The directory holding `entries` (sorted, all sharing the first `start` bytes of their
/// paths). The index's order is the trees' order: a directory's paths continue with `/`,
/// which is where git sorts a directory's name among its siblings.
fn build(entries: &[Entry], start: usize) -> Dir<'_> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < entries.len() {
        let rest = &entries[i].path[start..];
        match memchr::memchr(b'/', rest) {
            None => {
                out.push(DirEntry { name: rest, mode: entries[i].mode, id: entries[i].id, dir: None });
                i += 1;
            }
            Some(slash) => {
                let dir_prefix = &entries[i].path[..start + slash + 1];
                let end = i + entries[i..].iter().take_while(|e| e.path.starts_with(dir_prefix)).count();
                let dir = build(&entries[i..end], start + slash + 1);
                out.push(DirEntry { name: &rest[..slash], mode: TREE, id: dir.id, dir: Some(dir) });
                i = end;
            }
        }
    }
    let mut bytes = Vec::with_capacity(out.len() * 48);
    for e in &out {
        let _ = write!(bytes, "{:o} ", e.mode);
        bytes.extend_from_slice(e.name);
        bytes.push(0);
        bytes.extend_from_slice(e.id.as_bytes());
    }
    let id = Oid::hash_object(git2::ObjectType::Tree, &bytes).unwrap_or_else(|_| Oid::zero());
    Dir { id, entries: out }
}

/// Adds to `out` the files below `dir` (a path ending in `/`, or empty) that differ
/// between the base's tree `old` and the index's directory `new`.
fn compare(
    repo: &Repository,
    old: Option<&Tree>,
    new: Option<&Dir>,
    dir: &str,
    out: &mut Vec<Change>,
) -> Result<(), git2::Error> {
    let name_of = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    if let Some(new) = new {
        for e in &new.entries {
            let was = old.and_then(|t| t.get_name_bytes(e.name)).map(|w| (w.id(), w.filemode() as u32));
            if was == Some((e.id, e.mode)) {
                continue; // the same file, or the same subtree
            }
            let path = format!("{dir}{}", name_of(e.name));
            let (old_blob, old_tree) = match was {
                Some((id, mode)) if mode & TYPE == TREE => (None, Some(repo.find_tree(id)?)),
                Some((_, mode)) if mode & TYPE == GITLINK => (None, None),
                Some((id, mode)) => (Some((id, mode)), None),
                None => (None, None),
            };
            match &e.dir {
                Some(sub) => {
                    compare(repo, old_tree.as_ref(), Some(sub), &format!("{path}/"), out)?;
                    if let Some((id, _)) = old_blob {
                        out.push((path, Some(id)));
                    }
                }
                None => {
                    if let Some(t) = &old_tree {
                        compare(repo, Some(t), None, &format!("{path}/"), out)?;
                    }
                    // A submodule now: only a file it replaced is a change (submodules are
                    // compared on their own).
                    if e.mode & TYPE != GITLINK || old_blob.is_some() {
                        out.push((path, old_blob.map(|(id, _)| id)));
                    }
                }
            }
        }
    }
    // What only the base has: deleted.
    if let Some(old) = old {
        let kept: HashSet<&[u8]> = new.map(|n| n.entries.iter().map(|e| e.name).collect()).unwrap_or_default();
        for w in old.iter() {
            if kept.contains(w.name_bytes()) {
                continue;
            }
            let path = format!("{dir}{}", name_of(w.name_bytes()));
            match w.filemode() as u32 & TYPE {
                TREE => compare(repo, Some(&repo.find_tree(w.id())?), None, &format!("{path}/"), out)?,
                GITLINK => {}
                _ => out.push((path, Some(w.id()))),
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::changes;
    use git2::{IndexEntry, IndexTime, Oid, Repository, Signature};

    fn blob(repo: &Repository, text: &str) -> Oid {
        repo.blob(text.as_bytes()).unwrap()
    }

    fn entry(path: &str, mode: u32, id: Oid) -> IndexEntry {
        IndexEntry {
            ctime: IndexTime::new(0, 0),
            mtime: IndexTime::new(0, 0),
            dev: 0,
            ino: 0,
            mode,
            uid: 0,
            gid: 0,
            file_size: 0,
            id,
            flags: 0,
            flags_extended: 0,
            path: path.as_bytes().to_vec(),
        }
    }

    /// A repository whose base commit holds `base` and whose index holds `now`: (path,
    /// mode, content; a gitlink's content names its commit).
    fn setup(base: &[(&str, u32, &str)], now: &[(&str, u32, &str)]) -> (tempfile::TempDir, Repository, Oid) {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let sig = Signature::now("t", "t@example.com").unwrap();
        let sub = {
            let empty = repo.find_tree(repo.treebuilder(None).unwrap().write().unwrap()).unwrap();
            repo.commit(None, &sig, &sig, "sub", &empty, &[]).unwrap()
        };
        let id = |repo: &Repository, mode: u32, text: &str| if mode == 0o160000 { sub } else { blob(repo, text) };
        let mut index = repo.index().unwrap();
        for (p, mode, text) in base {
            index.add(&entry(p, *mode, id(&repo, *mode, text))).unwrap();
        }
        let base_commit = {
            let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
            repo.commit(Some("HEAD"), &sig, &sig, "base", &tree, &[]).unwrap()
        };
        index.clear().unwrap();
        for (p, mode, text) in now {
            index.add(&entry(p, *mode, id(&repo, *mode, text))).unwrap();
        }
        index.write().unwrap();
        drop(index);
        (dir, repo, base_commit)
    }

    /// What libgit2's tree-to-index diff lists, as `changes` lists it.
    fn libgit2(repo: &Repository, base: Oid, prefix: &str) -> Vec<(String, Option<Oid>)> {
        let tree = repo.find_commit(base).unwrap().tree().unwrap();
        let mut opts = git2::DiffOptions::new();
        opts.ignore_submodules(true);
        if !prefix.is_empty() {
            opts.pathspec(format!("{prefix}/"));
        }
        let diff = repo.diff_tree_to_index(Some(&tree), Some(&repo.index().unwrap()), Some(&mut opts)).unwrap();
        let mut out = crate::git::deltas(&diff);
        out.sort();
        out
    }

    fn ours(repo: &Repository, base: Oid, prefix: &str) -> Option<Vec<(String, Option<Oid>)>> {
        let tree = repo.find_commit(base).unwrap().tree().unwrap();
        let mut out = changes(repo, &repo.index().unwrap(), &tree, prefix)?;
        out.sort();
        Some(out)
    }

    const F: u32 = 0o100644;
    const X: u32 = 0o100755;
    const L: u32 = 0o120000;
    const S: u32 = 0o160000;

    #[test]
    fn lists_what_libgit2_lists() {
        let base = [
            ("a.txt", F, "a"),
            ("a-b", F, "ab"),
            ("a.b/c", F, "abc"),
            ("dir/b.txt", F, "b"),
            ("dir/sub/c.txt", F, "c"),
            ("gone/d.txt", F, "d"),
            ("gone/deeper/e.txt", F, "e"),
            ("same/f.txt", F, "f"),
            ("same/g/h.txt", F, "h"),
            ("tool.sh", F, "#!/bin/sh"),
            ("link", L, "a.txt"),
            ("vendor/lib", S, ""),
            ("x", F, "x was a file"),
            ("y/inside.txt", F, "y was a directory"),
        ];
        let now = [
            ("a.txt", F, "a, changed"),
            ("a-b", F, "ab"),
            ("a.b/c", F, "abc, changed"),
            ("a/new.txt", F, "new directory a, after a-b and a.b in git's order"),
            ("dir/b.txt", F, "b"),
            ("dir/sub/c.txt", F, "c"),
            ("dir/sub/new.txt", F, "new"),
            ("new.txt", F, "new"),
            ("same/f.txt", F, "f"),
            ("same/g/h.txt", F, "h"),
            ("tool.sh", X, "#!/bin/sh"),
            ("link", L, "elsewhere"),
            ("vendor/lib", S, ""),
            ("x/now-a-directory.txt", F, "x"),
            ("y", F, "y is a file"),
        ];
        let (_dir, repo, base_commit) = setup(&base, &now);
        let expected = libgit2(&repo, base_commit, "");
        assert_eq!(ours(&repo, base_commit, "").as_ref(), Some(&expected));
        let paths: Vec<&str> = expected.iter().map(|(p, _)| p.as_str()).collect();
        for p in [
            "a.txt",
            "a.b/c",
            "a/new.txt",
            "dir/sub/new.txt",
            "gone/d.txt",
            "gone/deeper/e.txt",
            "tool.sh",
            "link",
            "x",
            "x/now-a-directory.txt",
            "y",
            "y/inside.txt",
            "new.txt",
        ] {
            assert!(paths.contains(&p), "{p} in {paths:?}");
        }
        assert!(!paths.iter().any(|p| p.starts_with("same/") || p.starts_with("vendor") || *p == "a-b"), "{paths:?}");
        // Under a directory only, and under one the base does not have.
        for prefix in ["dir", "gone", "a", "same"] {
            assert_eq!(ours(&repo, base_commit, prefix), Some(libgit2(&repo, base_commit, prefix)), "under {prefix}");
        }
    }

    #[test]
    fn the_index_trees_hash_as_git_writes_them() {
        let files = [("a.txt", F, "a"), ("b/c.txt", X, "c"), ("b/d/e", L, "x"), ("b-c", F, "bc"), ("m", S, "")];
        let (_dir, repo, base_commit) = setup(&files, &files);
        // Equal trees: nothing listed, and nothing below the root read (the root's ID
        // is the index's).
        assert_eq!(ours(&repo, base_commit, ""), Some(Vec::new()));
        let entries: Vec<super::Entry> =
            repo.index().unwrap().iter().map(|e| super::Entry { path: e.path, mode: e.mode, id: e.id }).collect();
        let root = repo.find_commit(base_commit).unwrap().tree_id();
        assert_eq!(super::build(&entries, 0).id, root);
    }

    #[test]
    fn a_conflict_is_left_to_libgit2() {
        let (_dir, repo, base_commit) = setup(&[("a", F, "a")], &[("a", F, "b")]);
        let mut index = repo.index().unwrap();
        let mut theirs = entry("a", F, blob(&repo, "c"));
        theirs.flags = 0x2000; // stage 2
        index.add(&theirs).unwrap();
        index.write().unwrap();
        let tree = repo.find_commit(base_commit).unwrap().tree().unwrap();
        assert!(changes(&repo, &repo.index().unwrap(), &tree, "").is_none());
    }
}
