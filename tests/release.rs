//! The release contract: what the release workflow publishes is what the Action, cargo
//! binstall, pre-commit and the README expect. The names live in several files (the
//! workflow's matrix, `scripts/release/`, `Cargo.toml`'s binstall metadata, `action.yml`),
//! so a test holds them together; `tests/action.rs` installs from a fake release made by
//! the same scripts. The workflow itself runs only on GitHub, on a tag.

mod common;
use common::*;
use serde_yaml::Value as Yaml;
use std::path::Path;
use std::process::Command;

const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Every release target, as the Action maps runners to them.
const TARGETS: [&str; 5] = [
    "x86_64-unknown-linux-musl",
    "aarch64-unknown-linux-musl",
    "x86_64-apple-darwin",
    "aarch64-apple-darwin",
    "x86_64-pc-windows-msvc",
];

fn read(rel: &str) -> String {
    std::fs::read_to_string(repo_root().join(rel)).unwrap_or_else(|e| panic!("cannot read {rel}: {e}"))
}

fn yaml(rel: &str) -> Yaml {
    serde_yaml::from_str(&read(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn archive_name(target: &str) -> String {
    let ext = if target.contains("-windows-") { "zip" } else { "tar.gz" };
    format!("incident-guard-{VERSION}-{target}.{ext}")
}

fn bash(script: &str, args: &[&str], dir: &Path) -> std::process::Output {
    Command::new("bash").arg(repo_root().join(script)).args(args).current_dir(dir).output().unwrap()
}

#[test]
fn release_workflow_builds_every_target_with_least_privilege() {
    let w = yaml(".github/workflows/release.yml");
    assert_eq!(w["on"]["push"]["tags"][0], "v*");
    assert_eq!(w["permissions"], Yaml::Mapping(Default::default()), "no permission at the top");
    let jobs = w["jobs"].as_mapping().unwrap();
    for (name, job) in jobs {
        let perms = job["permissions"].as_mapping().unwrap_or_else(|| panic!("{name:?}: permissions per job"));
        let writes: Vec<&str> =
            perms.iter().filter(|(_, v)| v.as_str() == Some("write")).map(|(k, _)| k.as_str().unwrap()).collect();
        if name.as_str() == Some("release") {
            assert_eq!(writes, ["contents", "id-token", "attestations"]);
        } else {
            assert!(writes.is_empty(), "{name:?} writes {writes:?}: only the release job may");
        }
        for step in job["steps"].as_sequence().unwrap() {
            if let Some(uses) = step["uses"].as_str() {
                let (_, rev) = uses.split_once('@').unwrap();
                assert!(rev.len() == 40 && rev.bytes().all(|b| b.is_ascii_hexdigit()), "{uses}: pin by commit");
            }
            if step["uses"].as_str().is_some_and(|u| u.starts_with("actions/checkout@")) {
                assert_eq!(step["with"]["persist-credentials"], Yaml::Bool(false));
            }
            if let Some(run) = step["run"].as_str() {
                assert!(!run.contains("${{"), "values reach scripts through env: only:\n{run}");
            }
        }
    }
    let matrix: Vec<&str> = w["jobs"]["build"]["strategy"]["matrix"]["include"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|e| e["target"].as_str().unwrap())
        .collect();
    assert_eq!(matrix, TARGETS);
    let text = read(".github/workflows/release.yml");
    assert!(text.contains("uses: actions/attest-build-provenance@"), "build provenance");
    assert!(text.contains("subject-checksums: dist/SHA256SUMS"), "every archive listed is attested");
    assert!(text.contains("bash scripts/release/archive.sh"), "the archives are the tested script's");
    assert!(text.contains("bash scripts/release/checksums.sh dist"));
    assert!(text.contains("bash scripts/release/notes.sh \"$VERSION\" > notes.md"));
    // The Action names this file as the attestations' signer.
    let action = read("action.yml");
    assert!(action.contains("--signer-workflow \"$REPOSITORY/.github/workflows/release.yml\""));
}

#[test]
fn archives_hold_one_directory_named_as_the_action_and_binstall_expect() {
    let temp = tempfile::tempdir().unwrap();
    let bin = temp.path().join("bin");
    std::fs::write(&bin, "#!/bin/sh\necho fake\n").unwrap();
    for target in ["x86_64-unknown-linux-musl", "x86_64-pc-windows-msvc"] {
        let out = bash("scripts/release/archive.sh", &[target, VERSION, bin.to_str().unwrap(), "dist"], temp.path());
        assert!(out.status.success(), "{}", stderr(&out));
        let path = temp.path().join("dist").join(archive_name(target));
        assert_eq!(stdout(&out).trim(), path.to_str().unwrap());
        let listing = if target.contains("windows") {
            Command::new("unzip").arg("-Z1").arg(&path).output().unwrap()
        } else {
            Command::new("tar").arg("-tzf").arg(&path).output().unwrap()
        };
        let mut names: Vec<String> =
            stdout(&listing).lines().filter(|l| !l.ends_with('/')).map(str::to_owned).collect();
        names.sort();
        let dir = format!("incident-guard-{VERSION}-{target}");
        let exe = if target.contains("windows") { "incident-guard.exe" } else { "incident-guard" };
        let mut want: Vec<String> = ["CHANGELOG.md", "LICENSE-APACHE", "LICENSE-MIT", "README.md", exe]
            .iter()
            .map(|f| format!("{dir}/{f}"))
            .collect();
        want.sort();
        assert_eq!(names, want, "{target}");
    }
    // SHA256SUMS is what `sha256sum -c` reads, one line per archive.
    let out = bash("scripts/release/checksums.sh", &["dist"], temp.path());
    assert!(out.status.success(), "{}", stderr(&out));
    let sums = std::fs::read_to_string(temp.path().join("dist/SHA256SUMS")).unwrap();
    assert_eq!(sums.lines().count(), 2, "{sums}");
    let check =
        Command::new("sha256sum").args(["-c", "SHA256SUMS"]).current_dir(temp.path().join("dist")).output().unwrap();
    assert!(check.status.success(), "{}{}", stdout(&check), stderr(&check));
    let line = regex::Regex::new(r"^[0-9a-f]{64}  incident-guard-[^ /]+\.(tar\.gz|zip)$").unwrap();
    assert!(sums.lines().all(|l| line.is_match(l)), "{sums}");
}

/// `Cargo.toml`'s `[package.metadata.binstall]`, rendered for `target` as cargo-binstall
/// renders it: the archive's URL and the binary's path inside it.
fn binstall(target: &str) -> (String, String, String) {
    let manifest: toml::Table = read("Cargo.toml").parse().unwrap();
    let meta = &manifest["package"]["metadata"]["binstall"];
    let fmt = meta
        .get("overrides")
        .and_then(|o| o.get(target))
        .and_then(|o| o.get("pkg-fmt"))
        .unwrap_or(&meta["pkg-fmt"])
        .as_str()
        .unwrap()
        .to_owned();
    let suffix = match fmt.as_str() {
        "tgz" => ".tar.gz",
        "zip" => ".zip",
        other => panic!("pkg-fmt {other}"),
    };
    let exe = if target.contains("windows") { ".exe" } else { "" };
    let repo = manifest["package"]["repository"].as_str().unwrap();
    let render = |t: &str| {
        t.replace("{ repo }", repo)
            .replace("{ version }", VERSION)
            .replace("{ name }", "incident-guard")
            .replace("{ target }", target)
            .replace("{ archive-suffix }", suffix)
            .replace("{ bin }", "incident-guard")
            .replace("{ binary-ext }", exe)
    };
    (render(meta["pkg-url"].as_str().unwrap()), render(meta["bin-dir"].as_str().unwrap()), fmt)
}

#[test]
fn binstall_metadata_points_at_the_release_archives() {
    for target in TARGETS {
        let (url, bin, _) = binstall(target);
        assert_eq!(
            url,
            format!(
                "https://github.com/incident-guard/incident-guard/releases/download/v{VERSION}/{}",
                archive_name(target)
            )
        );
        let exe = if target.contains("windows") { ".exe" } else { "" };
        assert_eq!(bin, format!("incident-guard-{VERSION}-{target}/incident-guard{exe}"));
    }
    assert_eq!(binstall("x86_64-pc-windows-msvc").2, "zip");
}

#[test]
fn crate_metadata_is_complete_and_the_readme_states_the_rust_version() {
    let manifest: toml::Table = read("Cargo.toml").parse().unwrap();
    let package = &manifest["package"];
    for key in [
        "description",
        "license",
        "repository",
        "homepage",
        "documentation",
        "readme",
        "keywords",
        "categories",
        "rust-version",
        "include",
    ] {
        assert!(package.get(key).is_some(), "Cargo.toml has no {key}");
    }
    assert!(package["keywords"].as_array().unwrap().len() <= 5, "crates.io takes five keywords");
    let rust_version = package["rust-version"].as_str().unwrap();
    let readme = read("README.md");
    assert!(readme.contains(&format!("Rust {rust_version} or newer")), "README.md states rust-version {rust_version}");
}

#[test]
fn changelog_keeps_a_changelog_and_notes_print_a_section() {
    let text = read("CHANGELOG.md");
    assert!(text.starts_with("# Changelog\n"));
    let heading =
        regex::Regex::new(r"^## \[(Unreleased|\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)\](?: - (\d{4}-\d{2}-\d{2}))?$")
            .unwrap();
    let mut versions = Vec::new();
    for line in text.lines().filter(|l| l.starts_with("## ")) {
        let c = heading.captures(line).unwrap_or_else(|| panic!("not a Keep a Changelog heading: {line}"));
        let v = c[1].to_owned();
        assert_eq!(v == "Unreleased", c.get(2).is_none(), "{line}: a release has a date, Unreleased none");
        assert!(text.contains(&format!("\n[{v}]: https://")), "{line}: no link for [{v}]");
        versions.push(v);
    }
    assert_eq!(versions.first().map(String::as_str), Some("Unreleased"), "Unreleased comes first");
    // Cargo.toml's version is released (it has its section) or about to be (Unreleased).
    assert!(versions.iter().any(|v| v == VERSION) || versions[0] == "Unreleased");

    let out = bash("scripts/release/notes.sh", &["Unreleased"], &repo_root());
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("### Added\n"), "{}", stdout(&out));
    assert!(!stdout(&out).contains("## [") && !stdout(&out).contains("[Unreleased]:"), "{}", stdout(&out));

    let temp = tempfile::tempdir().unwrap();
    let log = temp.path().join("CHANGELOG.md");
    std::fs::write(&log, "# Changelog\n\n## [Unreleased]\n\n## [1.2.0] - 2026-01-02\n\n### Fixed\n\n- a bug\n\n## [1.1.0] - 2025-12-01\n\n- older\n\n[1.2.0]: https://example.com\n").unwrap();
    let notes = |v: &str| bash("scripts/release/notes.sh", &[v, log.to_str().unwrap()], temp.path());
    assert_eq!(stdout(&notes("1.2.0")), "### Fixed\n\n- a bug\n");
    assert_eq!(stdout(&notes("1.1.0")), "- older\n", "the version links are not notes");
    let missing = notes("1.3.0");
    assert_eq!(missing.status.code(), Some(1));
    assert!(stderr(&missing).contains("has no section \"## [1.3.0]\" with entries"), "{}", stderr(&missing));
    assert_eq!(notes("Unreleased").status.code(), Some(1), "an empty section is no release notes");
    assert_eq!(notes("1.2").status.code(), Some(1), "1.2 is not 1.2.0");
}

#[test]
fn pre_commit_hooks_run_the_fast_check_on_the_whole_repository() {
    let hooks: Yaml = yaml(".pre-commit-hooks.yaml");
    let hooks = hooks.as_sequence().unwrap();
    let ids: Vec<&str> = hooks.iter().map(|h| h["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["incident-guard", "incident-guard-system"]);
    // A repository whose one incident has no regression test.
    let t = Tree::new();
    t.init_git();
    t.file("postmortems/inc-1.md", postmortem("INC-1", ""));
    t.commit("initial");
    let bin_dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(BIN, bin_dir.path().join("incident-guard")).unwrap();
    for hook in hooks {
        assert_eq!(hook["pass_filenames"], Yaml::Bool(false), "the check is of the whole repository");
        let args: Vec<&str> = hook["args"].as_sequence().unwrap().iter().map(|a| a.as_str().unwrap()).collect();
        assert_eq!(args, ["--no-git", "--no-test-results"], "no history walk unless asked, and no test run yet");
        // What pre-commit runs: the entry's words, then the args.
        let mut words: Vec<&str> = hook["entry"].as_str().unwrap().split_whitespace().collect();
        words.extend(&args);
        assert_eq!(words[0], "incident-guard");
        let out = Command::new(words[0])
            .args(&words[1..])
            .current_dir(t.path())
            .env("PATH", format!("{}:{}", bin_dir.path().display(), std::env::var("PATH").unwrap()))
            .env("NO_COLOR", "1")
            .env_remove("GITHUB_ACTIONS")
            .env_remove("GITHUB_EVENT_PATH")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
        assert!(stdout(&out).contains("error[missing-regression-test]"), "{}", stdout(&out));
        assert!(!stdout(&out).contains("history"), "no history note under --no-git:\n{}", stdout(&out));
    }
}

#[test]
fn init_writes_a_workflow_that_uses_this_release() {
    let t = Tree::new();
    t.remove("incident-guard.toml");
    let out = t.run(&["init"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let workflow = std::fs::read_to_string(t.path().join(".github/workflows/incident-guard.yml")).unwrap();
    assert!(workflow.contains(&format!("uses: incident-guard/incident-guard@v{VERSION}\n")), "{workflow}");
    assert!(!workflow.contains("{{"), "{workflow}");
    assert!(
        stdout(&out).contains(&format!("uses incident-guard v{VERSION}, the release of this binary")),
        "{}",
        stdout(&out)
    );
}

#[test]
fn readme_install_section_covers_every_way_in() {
    let readme = read("README.md");
    let start = readme.find("\n## Install\n").expect("README.md has an Install section");
    let end = readme[start + 1..].find("\n## ").map_or(readme.len(), |e| start + 1 + e);
    let install = &readme[start..end];
    for needle in [
        "releases/latest",
        "cargo binstall incident-guard",
        "cargo install --locked incident-guard",
        &format!("uses: incident-guard/incident-guard@v{VERSION}"),
        "repo: https://github.com/incident-guard/incident-guard",
        "cargo build --release --locked",
        "SHA256SUMS",
        "gh attestation verify",
    ] {
        assert!(install.contains(needle), "the Install section lacks `{needle}`");
    }
    // The commit-pinned example: how to find the tag's commit, and the pin.
    assert!(install.contains(&format!(
        "git ls-remote https://github.com/incident-guard/incident-guard 'refs/tags/v{VERSION}^{{}}'"
    )));
    assert!(install.contains(&format!("uses: incident-guard/incident-guard@<commit of v{VERSION}> # v{VERSION}")));
    // The README's first lines are still its first command and the test command.
    assert!(readme.starts_with("# incident-guard\n\n```sh\ncargo run --release -- check examples/checkout-service"));
}

#[test]
fn every_example_names_the_current_release() {
    // A version bump must update the examples (docs/releasing.md, step 4).
    let pinned = regex::Regex::new(r"(?:incident-guard/incident-guard@v|rev: v)(\d+\.\d+\.\d+)").unwrap();
    for file in ["README.md", "docs/action.md", "docs/pre-commit.md", "CHANGELOG.md"] {
        for c in pinned.captures_iter(&read(file)) {
            assert_eq!(&c[1], VERSION, "{file}: `{}` names another version than Cargo.toml's", &c[0]);
        }
    }
    assert!(pinned.is_match(&read("docs/action.md")) && pinned.is_match(&read("docs/pre-commit.md")));
}
