//! Postmortems that cannot be read or break the format (docs/postmortems.md).

use super::Context;
use crate::finding::Finding;
use crate::rules::Rule;

pub struct Check;

impl super::Check for Check {
    fn rule(&self) -> Rule {
        Rule::InvalidPostmortem
    }

    fn run(&self, cx: &Context, out: &mut Vec<Finding>) {
        for p in &cx.model.postmortem_problems {
            let mut f = Finding::new(Rule::InvalidPostmortem, p.message.clone()).at(&p.loc);
            if let Some(id) = &p.incident {
                f = f.incident(id);
            }
            if let Some(help) = &p.help {
                f = f.help(help.clone());
            }
            out.push(f);
        }
    }
}
