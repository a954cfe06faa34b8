//! The Moltipedia wiki editors (swarm/agents/wiki_editor.py): they act only
//! on the wiki's three observation queues (moltipedia.rs), never propose,
//! and answer proposals without a draw (the vandal refuses, the others
//! accept). Without a `moltipedia:` section their queues are empty and
//! their page actions find no handler: they do nothing, after the draws.
//!
//! Each action's text is kept as its length (all the wiki reads of it).

use crate::config::AgentParams;
use crate::moltipedia::{PageContent, Party, Wiki, WikiView};
use crate::rng::PyRandom;
use crate::types::Action;

/// "\n\nExpanded with sourced, neutral language."
const DILIGENT_SUFFIX: u32 = 42;
/// "A draft entry following editorial policy."
const DILIGENT_DRAFT: u32 = 41;
/// "\n\nAdded minimal citation note."
const FARMER_SUFFIX: u32 = 30;
/// "Short stub for later expansion."
const FARMER_STUB: u32 = 31;
/// "\n\nPolished formatting and minor edits."
const COLLUSIVE_SUFFIX: u32 = 38;
/// "Seed page designed for partner edits."
const COLLUSIVE_SEED: u32 = 37;
/// "Unreliable content. [citation needed]" (replaces the page's text).
const VANDAL_TEXT: u32 = 37;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum WikiEditor {
    /// `diligent_editor` (honest): contested, then low-quality, then
    /// random pages; else a draft with probability `create_probability`.
    Diligent { create_probability: f64 },
    /// `point_farmer` (opportunistic): low-quality pages, random ones with
    /// probability 0.6, else a stub with probability `stub_probability`.
    PointFarmer { stub_probability: f64 },
    /// `collusive_editor` (deceptive): its partner's pages first, then a
    /// random page, else a page of its own (never a noop). `partner`: None
    /// when unset or naming no one who creates pages.
    Collusive { partner: Option<Party> },
    /// `vandal` (adversarial): the first random, low-quality or contested
    /// page, replaced by junk.
    Vandal,
}

fn edit(page: u32, content: PageContent) -> Action {
    Action::EditPage { page, content }
}

impl WikiEditor {
    /// `diligent_editor`'s policy and its default.
    pub fn diligent(c: &AgentParams) -> Self {
        WikiEditor::Diligent { create_probability: c.create_probability.unwrap_or(0.2) }
    }

    /// `point_farmer`'s policy and its default.
    pub fn point_farmer(c: &AgentParams) -> Self {
        WikiEditor::PointFarmer { stub_probability: c.stub_probability.unwrap_or(0.4) }
    }

    pub fn act(&self, view: &WikiView, wiki: Option<&Wiki>, rng: &mut PyRandom) -> Action {
        match *self {
            WikiEditor::Diligent { create_probability } => {
                let add = PageContent::Append(DILIGENT_SUFFIX);
                if let Some(&p) = view.contested.first() {
                    return edit(p, add);
                }
                if let Some(&p) = view.search.first() {
                    return edit(p, add);
                }
                if let Some(&p) = view.random.first() {
                    return edit(p, add);
                }
                if rng.random() < create_probability {
                    return Action::CreatePage { content_len: DILIGENT_DRAFT };
                }
                Action::Noop
            }
            WikiEditor::PointFarmer { stub_probability } => {
                let add = PageContent::Append(FARMER_SUFFIX);
                if let Some(&p) = view.search.first() {
                    return edit(p, add);
                }
                // `random_pages and rng.random() < 0.6`: no draw when empty.
                if let Some(&p) = view.random.first() {
                    if rng.random() < 0.6 {
                        return edit(p, add);
                    }
                }
                if rng.random() < stub_probability {
                    return Action::CreatePage { content_len: FARMER_STUB };
                }
                Action::Noop
            }
            WikiEditor::Collusive { partner } => {
                let add = PageContent::Append(COLLUSIVE_SUFFIX);
                if let (Some(partner), Some(w)) = (partner, wiki) {
                    let queues = view.contested.iter().chain(&view.search).chain(&view.random);
                    if let Some(&p) =
                        queues.into_iter().find(|&&p| w.page(p).created_by == Some(partner))
                    {
                        return edit(p, add);
                    }
                }
                if let Some(&p) = view.random.first() {
                    return edit(p, add);
                }
                Action::CreatePage { content_len: COLLUSIVE_SEED }
            }
            WikiEditor::Vandal => {
                let candidates = [&view.random, &view.search, &view.contested];
                match candidates.iter().find(|q| !q.is_empty()) {
                    Some(q) => edit(q[0], PageContent::Replace(VANDAL_TEXT)),
                    None => Action::Noop,
                }
            }
        }
    }

    /// `accept_interaction`: no draw.
    pub fn accept(&self) -> bool {
        !matches!(self, WikiEditor::Vandal)
    }
}
