//! Maven: the Surefire (and Failsafe) configuration of a module, as the module's pom and
//! its parents in the repository give it. A parameter is taken from the nearest pom that
//! sets it, the plugin's own entry before `<pluginManagement>`; `${name}` is resolved from
//! the `<properties>` of the same poms.

use super::{Decision, Subject, ant_match, has_tag, join, parent, read, tag_expression, tag_loc};
use crate::finding::{Location, code};
use crate::scan::Skip;
use std::collections::HashMap;
use std::path::Path;
use std::rc::Rc;

const SUREFIRE: &str = "maven-surefire-plugin";
const FAILSAFE: &str = "maven-failsafe-plugin";
const SUREFIRE_INCLUDES: &[&str] = &["**/Test*.java", "**/*Test.java", "**/*Tests.java", "**/*TestCase.java"];
const FAILSAFE_INCLUDES: &[&str] = &["**/IT*.java", "**/*IT.java", "**/*ITCase.java"];
/// The parameters that choose which tests run.
const SELECTING: &[&str] =
    &["includes", "excludes", "groups", "excludedGroups", "test", "skip", "skipTests", "skipITs"];
/// Poms inherit through this many parents at most (a loop is cut there too).
const MAX_PARENTS: usize = 32;

/// An element of a pom: its name, where it starts, its text and its children.
#[derive(Debug, Default)]
struct El {
    name: String,
    at: usize,
    text: String,
    children: Vec<El>,
}

impl El {
    fn child(&self, name: &str) -> Option<&El> {
        self.children.iter().find(|c| c.name == name)
    }

    fn all<'e>(&'e self, name: &'e str) -> impl Iterator<Item = &'e El> + 'e {
        self.children.iter().filter(move |c| c.name == name)
    }

    fn at_path(&self, path: &[&str]) -> Option<&El> {
        path.iter().try_fold(self, |e, n| e.child(n))
    }

    fn value(&self) -> &str {
        self.text.trim()
    }
}

/// One pom.xml of the repository.
#[derive(Debug)]
struct Pom {
    file: String,
    dir: String,
    text_lines: Vec<usize>,
    project: El,
}

impl Pom {
    fn loc(&self, el: &El) -> Location {
        let line = self.text_lines.partition_point(|&s| s <= el.at);
        let column = el.at - self.text_lines[line.saturating_sub(1)] + 1;
        Location { path: self.file.clone(), line: line.max(1), column, len: el.name.chars().count() + 2 }
    }

    /// The plugin entries named `artifact`: the build's own, then `<pluginManagement>`'s.
    fn plugins<'p>(&'p self, build: &'p El, artifact: &'p str) -> impl Iterator<Item = &'p El> + 'p {
        let own = build.at_path(&["plugins"]).into_iter();
        let managed = build.at_path(&["pluginManagement", "plugins"]).into_iter();
        own.chain(managed).flat_map(move |ps| ps.all("plugin").filter(move |p| is_artifact(p, artifact)))
    }
}

fn is_artifact(plugin: &El, artifact: &str) -> bool {
    plugin.child("artifactId").is_some_and(|a| a.value() == artifact)
}

/// Parsed poms by path (a multi-module build shares its parents).
#[derive(Default)]
pub(crate) struct Poms {
    by_file: HashMap<String, Option<Rc<Pom>>>,
}

impl Poms {
    fn get(&mut self, root: &Path, file: &str) -> Option<Option<Rc<Pom>>> {
        if let Some(p) = self.by_file.get(file) {
            return Some(p.clone());
        }
        let bytes = read(root, file)?;
        let text = crate::scan::lossy(&bytes);
        let pom = parse(&text).map(|project| {
            Rc::new(Pom {
                file: file.to_owned(),
                dir: parent(file).to_owned(),
                text_lines: std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect(),
                project,
            })
        });
        self.by_file.insert(file.to_owned(), pom.clone());
        Some(pom)
    }
}

/// The `<project>` element of a pom, or `None` when it is not well-formed XML.
fn parse(text: &str) -> Option<El> {
    use quick_xml::events::Event;
    let mut xml = quick_xml::Reader::from_str(text);
    let mut stack: Vec<El> = vec![El::default()];
    loop {
        let before = usize::try_from(xml.buffer_position()).unwrap_or(0);
        let event = xml.read_event().ok()?;
        match &event {
            Event::Start(e) | Event::Empty(e) if stack.len() < 200 => {
                let name = e.local_name().as_ref().to_owned();
                // The `<` is after any whitespace the previous event left.
                let skip = text.get(before..).map_or(0, |r| r.len() - r.trim_start().len());
                let el = El { name, at: before + skip, ..El::default() };
                stack.push(el);
                if matches!(event, Event::Empty(_)) {
                    let el = stack.pop()?;
                    stack.last_mut()?.children.push(el);
                }
            }
            Event::Start(_) | Event::Empty(_) => return None,
            Event::End(_) => {
                let el = stack.pop()?;
                stack.last_mut()?.children.push(el);
            }
            Event::Text(t) => stack.last_mut()?.text.push_str(&t.xml10_content()),
            Event::CData(t) => stack.last_mut()?.text.push_str(&t.xml10_content()),
            Event::GeneralRef(r) => {
                let s = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    _ => {
                        quick_xml::escape::unescape(&format!("&{};", &**r)).map(|c| c.into_owned()).unwrap_or_default()
                    }
                };
                stack.last_mut()?.text.push_str(&s);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let doc = stack.pop()?;
    doc.children.into_iter().find(|c| c.name == "project")
}

/// A Maven module: its pom, then its parents while they are in the repository.
pub(crate) struct Module {
    chain: Vec<Rc<Pom>>,
    /// The module's pom does not parse.
    broken: Option<Location>,
    /// The last parent, when it is outside the repository: `group:artifact:version` and
    /// the `<parent>` element.
    external_parent: Option<(String, Location)>,
}

/// A parameter's values, where they are set, and the pom that sets them.
struct Param {
    values: Vec<String>,
    loc: Location,
}

impl Module {
    pub(crate) fn load(root: &Path, dir: &str, poms: &mut Poms) -> Option<Module> {
        let file = join(dir, "pom.xml");
        let Some(pom) = poms.get(root, &file)? else {
            let loc = Location { path: file, line: 1, column: 1, len: 1 };
            return Some(Module { chain: Vec::new(), broken: Some(loc), external_parent: None });
        };
        let mut chain = vec![pom];
        let mut external_parent = None;
        while chain.len() < MAX_PARENTS {
            let last = chain.last().expect("not empty").clone();
            let Some(p) = last.project.child("parent") else { break };
            let coords = ["groupId", "artifactId", "version"].map(|n| p.child(n).map_or("", |e| e.value()).to_owned());
            let rel = p.child("relativePath").map_or("../pom.xml", |r| r.value());
            let found = (!rel.is_empty())
                .then(|| relative(&last.dir, rel))
                .flatten()
                .map(|f| if f.ends_with(".xml") { f } else { join(&f, "pom.xml") })
                .and_then(|f| poms.get(root, &f).flatten())
                .filter(|pp| {
                    // The pom there must be the parent named (Maven checks the same).
                    let id = |n: &str| pp.project.child(n).map(|e| e.value().to_owned());
                    let group = id("groupId")
                        .or_else(|| pp.project.at_path(&["parent", "groupId"]).map(|e| e.value().to_owned()));
                    id("artifactId").as_deref() == Some(coords[1].as_str())
                        && group.as_deref() == Some(coords[0].as_str())
                });
            match found {
                Some(pp) if !chain.iter().any(|c| c.file == pp.file) => chain.push(pp),
                Some(_) => break,
                None => {
                    external_parent = Some((coords.join(":"), last.loc(p)));
                    break;
                }
            }
        }
        Some(Module { chain, broken: None, external_parent })
    }

    /// `${name}` in `text` resolved from the chain's `<properties>`; `Err` naming the
    /// first property none of them sets.
    fn resolve(&self, text: &str) -> Result<String, String> {
        let mut out = String::new();
        let mut rest = text;
        let mut depth = 0;
        while let Some(i) = rest.find("${") {
            out.push_str(&rest[..i]);
            let Some(j) = rest[i..].find('}') else { return Err(rest[i..].to_owned()) };
            let name = &rest[i + 2..i + j];
            let value = self
                .chain
                .iter()
                .find_map(|p| p.project.at_path(&["properties", name]).map(|e| e.value().to_owned()))
                .ok_or_else(|| format!("${{{name}}}"))?;
            depth += 1;
            if depth > 16 {
                return Err(format!("${{{name}}}"));
            }
            out.push_str(&self.resolve(&value)?);
            rest = &rest[i + j + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }

    /// The nearest setting of `name` in the plugin's configuration (plugin level), as a
    /// list (`<includes><include>…`) or a comma-separated value; `Err` when it cannot
    /// be read.
    fn param(&self, plugin: &str, name: &str) -> Result<Option<Param>, Skip> {
        for pom in &self.chain {
            let Some(build) = pom.project.child("build") else { continue };
            for p in pom.plugins(build, plugin) {
                let Some(el) = p.at_path(&["configuration", name]) else { continue };
                let raw: Vec<&El> = if el.children.is_empty() { vec![el] } else { el.children.iter().collect() };
                let mut values = Vec::new();
                for r in raw {
                    let resolved = self.resolve(r.value()).map_err(|prop| {
                        Skip::new(
                            pom.loc(r),
                            format!(
                                "{} in {}'s `<{name}>`, a property no pom of the repository sets",
                                code(&prop),
                                plugin_name(plugin)
                            ),
                        )
                    })?;
                    values.extend(resolved.split(',').map(|v| v.trim().to_owned()).filter(|v| !v.is_empty()));
                }
                return Ok(Some(Param { values, loc: pom.loc(el) }));
            }
        }
        Ok(None)
    }

    /// What stops the plugin's selection from being read: an execution or a profile
    /// that sets a selecting parameter.
    fn hidden(&self, plugin: &str) -> Option<Skip> {
        for pom in &self.chain {
            let mut builds: Vec<(&El, Option<&str>)> = Vec::new();
            if let Some(b) = pom.project.child("build") {
                builds.push((b, None));
            }
            for profile in pom.project.at_path(&["profiles"]).into_iter().flat_map(|ps| ps.all("profile")) {
                if let Some(b) = profile.child("build") {
                    builds.push((b, Some(profile.child("id").map_or("?", |i| i.value()))));
                }
            }
            for (build, profile) in builds {
                for p in pom.plugins(build, plugin) {
                    let mut configs: Vec<&El> = p
                        .child("executions")
                        .into_iter()
                        .flat_map(|e| e.all("execution"))
                        .filter_map(|e| e.child("configuration"))
                        .collect();
                    if profile.is_some() {
                        configs.extend(p.child("configuration"));
                    }
                    for c in configs {
                        if let Some(param) = c.children.iter().find(|e| SELECTING.contains(&e.name.as_str())) {
                            let whence = match profile {
                                Some(id) => format!("the profile {}", code(id)),
                                None => "an `<execution>`".to_owned(),
                            };
                            return Some(Skip::new(
                                pom.loc(param),
                                format!(
                                    "{}'s `<{}>` set in {whence}, which incident-guard does not evaluate",
                                    plugin_name(plugin),
                                    param.name
                                ),
                            ));
                        }
                    }
                }
            }
        }
        None
    }

    /// The plugin's version, where some pom of the chain sets it.
    fn version(&self, plugin: &str) -> Option<String> {
        self.chain.iter().find_map(|pom| {
            let build = pom.project.child("build")?;
            pom.plugins(build, plugin).find_map(|p| p.child("version").and_then(|v| self.resolve(v.value()).ok()))
        })
    }

    /// Whether the build runs Failsafe: declared under `<build><plugins>` (not only
    /// managed) with an execution.
    fn has_failsafe(&self) -> bool {
        self.chain.iter().any(|pom| {
            pom.project.at_path(&["build", "plugins"]).is_some_and(|ps| {
                ps.all("plugin").any(|p| is_artifact(p, FAILSAFE) && p.at_path(&["executions", "execution"]).is_some())
            })
        })
    }

    pub(crate) fn decide(&self, s: &Subject<'_>) -> Decision {
        if let Some(loc) = &self.broken {
            return Decision::Unsure(Skip::new(
                loc.clone(),
                format!("the build file {}, which is not well-formed XML", code(&loc.path)),
            ));
        }
        if let Some(d) = self.outside_test_sources(s) {
            return d;
        }
        let mut unsure: Option<Skip> = None;
        let mut reasons = Vec::new();
        let mut plugins = vec![SUREFIRE];
        if self.has_failsafe() {
            plugins.push(FAILSAFE);
        }
        for plugin in plugins {
            match self.selects(plugin, s) {
                Ok(Ok(())) => {
                    if let Some(h) = self.hidden(plugin) {
                        unsure.get_or_insert(h);
                        continue;
                    }
                    match &self.external_parent {
                        Some((coords, loc)) => {
                            unsure.get_or_insert(Skip::new(
                                loc.clone(),
                                format!(
                                    "the parent pom {}, outside the repository, whose {} configuration incident-guard cannot read",
                                    code(coords),
                                    plugin_name(plugin)
                                ),
                            ));
                        }
                        None => return Decision::Runs,
                    }
                }
                Ok(Err(reason)) => {
                    if let Some(h) = self.hidden(plugin) {
                        unsure.get_or_insert(h);
                    }
                    reasons.push(reason)
                }
                Err(skip) => {
                    unsure.get_or_insert(skip);
                }
            }
        }
        if let Some(skip) = unsure {
            return Decision::Unsure(skip);
        }
        let loc = reasons.first().map_or_else(|| s.loc.clone(), |(_, l)| l.clone());
        let why = match reasons.len() {
            0 => "no test plugin of the build runs it".to_owned(),
            1 => reasons.remove(0).0,
            _ => {
                let each: Vec<String> = reasons.iter().map(|(w, l)| format!("{w} ({}:{})", l.path, l.line)).collect();
                format!("neither Surefire nor Failsafe runs it: {}", each.join("; "))
            }
        };
        Decision::NotRun { why, loc }
    }

    /// Whether `plugin` runs the test: `Ok(Ok(()))` yes, `Ok(Err((why, loc)))` no,
    /// `Err` cannot tell.
    #[allow(clippy::type_complexity)]
    fn selects(&self, plugin: &str, s: &Subject<'_>) -> Result<Result<(), (String, Location)>, Skip> {
        let name = plugin_name(plugin);
        for skip in ["skip", "skipTests"] {
            if let Some(p) = self.param(plugin, skip)?
                && p.values.iter().any(|v| v == "true")
            {
                return Ok(Err((format!("{name} is configured with `<{skip}>true</{skip}>`"), p.loc)));
            }
        }
        for prop in ["maven.test.skip", "skipTests"] {
            if self.resolve(&format!("${{{prop}}}")).is_ok_and(|v| v.trim() == "true") {
                let loc = self.property_loc(prop).unwrap_or_else(|| s.loc.clone());
                return Ok(Err((format!("the pom sets the property `{prop}` to `true`, which skips the tests"), loc)));
            }
        }
        let class = &s.class_path;
        // `<test>` replaces the includes.
        let test = self.param(plugin, "test")?;
        let includes = self.param(plugin, "includes")?;
        let (patterns, whence): (Vec<String>, Option<&Param>) = match (&test, &includes) {
            (Some(t), _) => (
                t.values.iter().map(|v| test_pattern(v)).collect::<Option<Vec<_>>>().ok_or_else(|| {
                    Skip::new(
                        t.loc.clone(),
                        format!("{name}'s `<test>` with a method filter, which incident-guard does not evaluate"),
                    )
                })?,
                Some(t),
            ),
            (None, Some(i)) if !i.values.is_empty() => (i.values.clone(), Some(i)),
            _ => {
                let defaults = if plugin == SUREFIRE { SUREFIRE_INCLUDES } else { FAILSAFE_INCLUDES };
                (defaults.iter().map(|d| (*d).to_owned()).collect(), None)
            }
        };
        let mut matched = None;
        for p in &patterns {
            match pattern_matches(p, class) {
                Some(true) => {
                    matched = Some(p.clone());
                    break;
                }
                Some(false) => {}
                None => {
                    let loc = whence.map_or_else(|| s.loc.clone(), |w| w.loc.clone());
                    return Err(Skip::new(
                        loc,
                        format!("{name}'s pattern {}, which incident-guard does not evaluate", code(p)),
                    ));
                }
            }
        }
        let Some(matched) = matched else {
            let list = patterns.iter().map(|p| code(p)).collect::<Vec<_>>().join(", ");
            let (what, loc) = match whence {
                Some(w) => {
                    (format!("its `<{}>` ({list})", if test.is_some() { "test" } else { "includes" }), w.loc.clone())
                }
                None => (format!("its default includes ({list})"), s.loc.clone()),
            };
            return Ok(Err((
                format!("{name} runs only the classes {what} select, and `{}` matches none of them", s.class_name),
                loc,
            )));
        };
        // The `*Tests` default came with Surefire 2.20; before, and where the version
        // is left to Maven (2.12.4 up to Maven 3.8), a `*Tests` class is not run.
        if whence.is_none() && matched == "**/*Tests.java" && plugin == SUREFIRE {
            let old = match self.version(plugin) {
                None => Some("is not set in the repository (Maven up to 3.8 then uses 2.12.4)".to_owned()),
                Some(v) if older_than_2_20(&v) => Some(format!("is {}", code(&v))),
                Some(_) => None,
            };
            if let Some(old) = old {
                return Err(Skip::new(
                    s.loc.clone(),
                    format!("Surefire includes `**/*Tests.java` by default only since 2.20, and its version {old}"),
                ));
            }
        }
        if let Some(ex) = self.param(plugin, "excludes")? {
            for p in &ex.values {
                match pattern_matches(p, class) {
                    Some(true) => {
                        return Ok(Err((
                            format!("{name}'s `<excludes>` leave out `{}` ({})", s.class_name, code(p)),
                            ex.loc,
                        )));
                    }
                    Some(false) => {}
                    None => {
                        return Err(Skip::new(
                            ex.loc,
                            format!("{name}'s exclude {}, which incident-guard does not evaluate", code(p)),
                        ));
                    }
                }
            }
        }
        for group in ["groups", "excludedGroups"] {
            if let Some(g) = self.param(plugin, group)?
                && let Some(skip) = super::kotest_unsure(s.facts, &g.loc, &format!("{name}'s `<{group}>`"))
            {
                return Err(skip);
            }
        }
        if let Some(g) = self.param(plugin, "groups")? {
            let mut any = false;
            for e in &g.values {
                match tag_expression(e, s.facts) {
                    Some(true) => any = true,
                    Some(false) => {}
                    None => {
                        return Err(Skip::new(g.loc, format!("{name}'s `<groups>` {}, which does not parse", code(e))));
                    }
                }
            }
            if !any && !g.values.is_empty() {
                let list = g.values.join(", ");
                return Ok(Err((
                    format!("{name} runs only the groups `{list}` (`<groups>`), and the test has none of them"),
                    g.loc,
                )));
            }
        }
        if let Some(g) = self.param(plugin, "excludedGroups")? {
            for e in &g.values {
                match tag_expression(e, s.facts) {
                    Some(true) => {
                        let at = tag_loc(s.facts, |t| has_tag(e, &single(t)))
                            .map(|l| format!(" (tagged at line {})", l.line))
                            .unwrap_or_default();
                        return Ok(Err((
                            format!("{name}'s `<excludedGroups>` leave out the group `{e}`, which the test is in{at}"),
                            g.loc,
                        )));
                    }
                    Some(false) => {}
                    None => {
                        return Err(Skip::new(
                            g.loc,
                            format!("{name}'s `<excludedGroups>` {}, which does not parse", code(e)),
                        ));
                    }
                }
            }
        }
        Ok(Ok(()))
    }

    /// Maven compiles (and so runs) only the test sources of the module:
    /// `<testSourceDirectory>`, by default `src/test/java` (and `src/test/kotlin` for
    /// Kotlin's plugin). A plugin that adds source directories makes it unsure.
    fn outside_test_sources(&self, s: &Subject<'_>) -> Option<Decision> {
        let module = &self.chain.first()?.dir;
        let rel = if module.is_empty() { s.file } else { s.file.strip_prefix(module.as_str())?.strip_prefix('/')? };
        let set = self.chain.iter().find_map(|p| p.project.at_path(&["build", "testSourceDirectory"]).map(|e| (p, e)));
        let mut dirs: Vec<String> = Vec::new();
        let mut whence = None;
        match set {
            Some((pom, el)) => {
                let v = self.resolve(el.value()).ok()?;
                let v = v
                    .trim_start_matches("${project.basedir}/")
                    .trim_start_matches("${basedir}/")
                    .trim_start_matches("./");
                if v.starts_with('/') || v.contains("${") {
                    return None;
                }
                dirs.push(v.trim_end_matches('/').to_owned());
                whence = Some(pom.loc(el));
            }
            None => dirs.push("src/test/java".to_owned()),
        }
        if s.file.ends_with(".kt") {
            dirs.push("src/test/kotlin".to_owned());
        }
        if dirs.iter().any(|d| rel.starts_with(&format!("{d}/"))) {
            return None;
        }
        let adds_sources = self.chain.iter().any(|p| {
            let text_has = |artifact: &str| {
                let mut stack = vec![&p.project];
                while let Some(e) = stack.pop() {
                    if e.name == "artifactId" && e.value() == artifact {
                        return true;
                    }
                    stack.extend(e.children.iter());
                }
                false
            };
            text_has("build-helper-maven-plugin")
                || text_has("kotlin-maven-plugin")
                || text_has("gmavenplus-plugin")
                || p.project.at_path(&["profiles"]).is_some_and(|ps| {
                    ps.all("profile").any(|pr| pr.at_path(&["build", "testSourceDirectory"]).is_some())
                })
        });
        let list = dirs.iter().map(|d| code(d)).collect::<Vec<_>>().join(" or ");
        if let Some((coords, loc)) = self.external_parent.as_ref().filter(|_| whence.is_none()) {
            return Some(Decision::Unsure(Skip::new(
                loc.clone(),
                format!(
                    "a file outside the default test sources ({list}), in a module whose parent pom {} is outside the repository and may set `<testSourceDirectory>`",
                    code(coords)
                ),
            )));
        }
        if adds_sources {
            return Some(Decision::Unsure(Skip::new(
                s.loc.clone(),
                format!(
                    "a file outside the module's test sources ({list}) in a build whose plugins may add source directories, which incident-guard does not read"
                ),
            )));
        }
        Some(Decision::NotRun {
            why: format!(
                "Maven compiles and runs only the module's test sources ({list}, in `{}`), and its file is not under them",
                self.chain[0].file
            ),
            loc: whence.unwrap_or_else(|| s.loc.clone()),
        })
    }

    fn property_loc(&self, name: &str) -> Option<Location> {
        self.chain.iter().find_map(|p| p.project.at_path(&["properties", name]).map(|e| p.loc(e)))
    }
}

/// Facts holding only `tag` (as a tag and as a category), to find where a tag is written.
fn single(tag: &str) -> crate::scan::java::Facts {
    let loc = Location { path: String::new(), line: 0, column: 0, len: 0 };
    crate::scan::java::Facts {
        tags: vec![(tag.to_owned(), loc.clone())],
        categories: vec![(tag.rsplit('.').next().unwrap_or(tag).to_owned(), loc)],
        ..Default::default()
    }
}

fn plugin_name(plugin: &str) -> &'static str {
    if plugin == FAILSAFE { "Failsafe" } else { "Surefire" }
}

/// `<test>`'s value as an include pattern (`CartTest`, `Cart*`, `com/x/**/CartTest`);
/// `None` with a method filter (`CartTest#adds`).
fn test_pattern(v: &str) -> Option<String> {
    if v.contains('#') {
        return None;
    }
    Some(v.to_owned())
}

/// Whether a Surefire include or exclude pattern matches the class at `class` (a class
/// file's path without `.class`). As Surefire reads them: `.java` and `.class` endings
/// are dropped, a fully qualified name's dots are directories, and a pattern without a
/// directory matches in every package. `None` for `%regex[…]` and `%ant[…]`, not read.
fn pattern_matches(pattern: &str, class: &str) -> Option<bool> {
    if pattern.starts_with('%') || pattern.contains('#') || pattern.contains('!') {
        return None;
    }
    let mut p = pattern.trim().trim_start_matches("./").to_owned();
    for ext in [".java", ".class"] {
        if let Some(stripped) = p.strip_suffix(ext) {
            p = stripped.to_owned();
            break;
        }
    }
    if !p.contains('/') {
        p = p.replace('.', "/");
    }
    if !p.contains('/') {
        p = format!("**/{p}");
    }
    // A trailing `**` or `*` also spans inner classes; top-level names are compared.
    Some(ant_match(&p, class))
}

/// `2.19.1`, `2.12.4`, `2.4.3-alpha-1`: before 2.20.
fn older_than_2_20(version: &str) -> bool {
    let mut parts = version.split(['.', '-']).map(|p| p.parse::<u32>().ok());
    match (parts.next().flatten(), parts.next().flatten()) {
        (Some(major), Some(minor)) => major < 2 || (major == 2 && minor < 20),
        (Some(major), None) => major < 2,
        _ => false,
    }
}

/// `dir` joined with a relative path (`../pom.xml`), inside the root; `None` outside.
fn relative(dir: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for p in rel.split(['/', '\\']) {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn surefire_patterns_as_surefire_reads_them() {
        for (p, class, want) in [
            ("**/*Test.java", "com/x/CartTest", Some(true)),
            ("**/*Test.java", "com/x/CartChecks", Some(false)),
            ("CartTest.java", "com/x/CartTest", Some(true)),
            ("com.x.CartTest", "com/x/CartTest", Some(true)),
            ("com/x/**", "com/x/y/CartTest", Some(true)),
            ("org/**/*.java", "com/x/CartTest", Some(false)),
            ("**/Cart*", "com/x/CartChecks", Some(true)),
            ("%regex[.*Cart.*]", "com/x/CartTest", None),
        ] {
            assert_eq!(pattern_matches(p, class), want, "{p} {class}");
        }
        assert!(older_than_2_20("2.19.1") && older_than_2_20("2.12.4") && !older_than_2_20("2.22.2"));
        assert!(!older_than_2_20("3.5.6") && !older_than_2_20("3.0.0-M5"));
        assert_eq!(relative("a/b", "../pom.xml").as_deref(), Some("a/pom.xml"));
        assert_eq!(relative("", "../pom.xml"), None);
    }

    #[test]
    fn poms_parse_with_positions() {
        let text =
            "<?xml version=\"1.0\"?>\n<project>\n  <properties><x>a&amp;b</x></properties>\n  <build/>\n</project>\n";
        let project = parse(text).expect("parses");
        let x = project.at_path(&["properties", "x"]).expect("x");
        assert_eq!(x.value(), "a&b");
        let pom = Pom {
            file: "pom.xml".into(),
            dir: String::new(),
            text_lines: vec![0, 22, 32, 73, 84],
            project: El::default(),
        };
        assert_eq!((pom.loc(x).line, pom.loc(x).column), (3, 15));
        assert!(parse("<project><a></project>").is_none());
    }
}
