//! The model every check reads: incidents from postmortems, tests and their links from
//! the sources, and (when git is used) what history says. Built once, read-only after.

use crate::date::Date;
use crate::postmortem::{self, Postmortem};
use crate::scan::{Scanned, TestCase};
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

#[derive(Debug)]
pub struct Model {
    /// The repository root every path is relative to.
    pub root: PathBuf,
    /// Every postmortem with a readable ID, in path order (duplicates included).
    pub postmortems: Vec<Postmortem>,
    pub postmortem_problems: Vec<postmortem::Problem>,
    pub sources: Scanned,
    pub today: Date,
    /// Texts of the files findings may point into, for showing the source line.
    pub texts: HashMap<String, String>,
    /// Incident ID → tests at HEAD linked to it.
    links: BTreeMap<String, Vec<(usize, usize)>>,
}

impl Model {
    pub fn new(root: PathBuf, loaded: postmortem::Loaded, sources: Scanned, today: Date) -> Model {
        let mut texts: HashMap<String, String> = loaded.texts.into_iter().collect();
        texts.extend(sources.texts.iter().cloned());
        let mut links: BTreeMap<String, Vec<(usize, usize)>> = BTreeMap::new();
        for (f, file) in sources.files.iter().enumerate() {
            for (t, test) in file.tests.iter().enumerate() {
                for link in &test.links {
                    let entry = links.entry(link.incident.clone()).or_default();
                    if !entry.contains(&(f, t)) {
                        entry.push((f, t));
                    }
                }
            }
        }
        Model {
            root,
            postmortems: loaded.postmortems,
            postmortem_problems: loaded.problems,
            sources,
            today,
            texts,
            links,
        }
    }

    /// The postmortem that owns `id` (the first one, if several claim it).
    pub fn incident(&self, id: &str) -> Option<&Postmortem> {
        self.postmortems.iter().find(|p| p.id == id)
    }

    /// Each incident once: the first postmortem with each ID.
    pub fn incidents(&self) -> impl Iterator<Item = &Postmortem> {
        self.postmortems
            .iter()
            .enumerate()
            .filter(|(i, p)| !self.postmortems[..*i].iter().any(|q| q.id == p.id))
            .map(|(_, p)| p)
    }

    /// The tests at HEAD linked to `id`.
    pub fn tests_for(&self, id: &str) -> Vec<&TestCase> {
        self.links.get(id).map_or_else(Vec::new, |v| {
            v.iter().map(|&(f, t)| &self.sources.files[f].tests[t]).collect()
        })
    }

    /// Every test at HEAD that carries at least one link.
    pub fn linked_tests(&self) -> impl Iterator<Item = &TestCase> {
        self.sources
            .files
            .iter()
            .flat_map(|f| f.tests.iter())
            .filter(|t| !t.links.is_empty())
    }

    /// IDs any postmortem claims, for suggestions.
    pub fn incident_ids(&self) -> impl Iterator<Item = &str> {
        self.postmortems.iter().map(|p| p.id.as_str())
    }
}
