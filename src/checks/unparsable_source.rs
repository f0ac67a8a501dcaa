//! A source file that cannot be read or parsed: its markers were taken from the text, so
//! its incidents stay covered, but identities may be approximate and it is worth fixing.
//! Also a source path that was not read on purpose (a symbolic link out of the
//! repository, a FIFO): whatever it holds was not seen, and the reader should know.

use super::Context;
use crate::finding::Finding;
use crate::rules::Rule;

pub struct Check;

impl super::Check for Check {
    fn rule(&self) -> Rule {
        Rule::UnparsableSource
    }

    fn run(&self, cx: &Context, out: &mut Vec<Finding>) {
        let sources = &cx.model.sources;
        for file in &sources.files {
            let Some(u) = &file.unparsable else { continue };
            if !file.has_markers {
                continue;
            }
            out.push(
                Finding::new(Rule::UnparsableSource, format!("cannot parse {}: {}", file.path, u.message))
                    .at(&u.loc)
                    .help("its markers were read from the text, so its incidents still count as covered"),
            );
        }
        for u in &sources.unreadable {
            out.push(
                Finding::new(Rule::UnparsableSource, format!("{} {}", u.loc.path, u.message))
                    .in_file(&u.loc.path)
                    .help("markers in it, if any, were not seen; fix the permissions or add it to `exclude`"),
            );
        }
        for u in &sources.skipped {
            out.push(
                Finding::new(Rule::UnparsableSource, format!("{} {}", u.loc.path, u.message))
                    .in_file(&u.loc.path)
                    .help("only regular files inside the repository are read, so markers in it, if any, were not seen; put the file itself in its place, or add the path to `exclude`"),
            );
        }
    }
}
