//! The scholar subsystem's handler (issue 17; swarm/core/scholar_handler.py,
//! `ScholarHandler`), for the reference's built-in corpus and queries.
//!
//! What the reference does with a `scholar:` section, traced on
//! collaborative_chemistry.yaml and scholar_bench/: each epoch works on one
//! of three built-in queries (in turn; the index advances at every epoch
//! end). The passage pool and the draft citations empty at each epoch
//! start; the syntheses never do.
//!
//! - A retriever's turn with an empty pool retrieves: the passages of the
//!   ten-passage corpus whose keywords or words overlap the query's words,
//!   at most `top_k`. The handler finalises that as an accepted
//!   collaboration with the party `corpus`, with observables
//!   (n / top_k capped at 1, 0, 0, 0, half that).
//! - A synthesizer's turn with a non-empty pool and no synthesis yet in the
//!   whole run (the handler keeps every synthesis, and a synthesizer
//!   stops once its observation shows one) cites the pool's first five
//!   passages; the gold key points are all covered (it appends those
//!   missing), so the observables are (1, 0, 0, 0, 0.6), with the party
//!   `synthesis_engine`. Hence one synthesis per run.
//! - A verifier's turn while a draft citation is unverified draws once
//!   from its own stream: with probability 0.9 (its `accuracy`, which no
//!   scenario key reaches) it judges the citation valid, which it always
//!   is (each claim is its passage's whole text, so the entailment is 1).
//!   Observables (0.2, 0, 0, 0, 0.3) when right, (-0.1, 1, 0, 0, -0.2)
//!   when wrong, with the party `verification_oracle`.
//!
//! Those three parties are not agents: the interaction goes through
//! governance, payoffs and the metrics, and its counterparty's side
//! reaches no state (the engine gives them ids past the agents'). The
//! adversarial scholar agents are not ported with the handler on (refused
//! in Python).

use serde::{Deserialize, Serialize};

use crate::observables::{py_min, Observables};

/// The part of `ScholarConfig` a run reads (`corpus_path` and
/// `dataset_path`, which load files, are refused in Python; `seed` seeds a
/// stream the handler never draws from).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScholarConfig {
    pub top_k: u64,
    pub entailment_threshold: f64,
}

impl Default for ScholarConfig {
    fn default() -> Self {
        ScholarConfig { top_k: 30, entailment_threshold: 0.7 }
    }
}

/// The counterparties of the handler's interactions, in the order of the
/// ids the engine gives them after the agents'.
pub const PARTIES: [&str; 3] = ["corpus", "synthesis_engine", "verification_oracle"];

/// The built-in corpus (`_generate_mini_corpus`): each passage's text and
/// keywords.
const CORPUS: [(&str, &[&str]); 10] = [
    (
        "Deep learning models learn hierarchical representations from data.",
        &["deep learning", "representations", "hierarchical"],
    ),
    (
        "Backpropagation is the core algorithm for training neural networks.",
        &["backpropagation", "training", "neural networks"],
    ),
    (
        "Transformers use self-attention to process sequences in parallel.",
        &["transformers", "self-attention", "parallel", "sequences"],
    ),
    (
        "The attention mechanism allows models to focus on relevant parts of input.",
        &["attention", "mechanism", "relevant", "input"],
    ),
    (
        "Attention weights are computed as softmax of query-key dot products.",
        &["attention", "weights", "softmax", "query", "key"],
    ),
    (
        "Multi-head attention enables learning different attention patterns.",
        &["multi-head", "attention", "patterns"],
    ),
    (
        "Adam optimizer combines momentum with adaptive learning rates.",
        &["adam", "optimizer", "momentum", "learning rate"],
    ),
    (
        "Gradient clipping prevents exploding gradients during training.",
        &["gradient", "clipping", "exploding", "training"],
    ),
    (
        "Policy gradient methods directly optimize the expected return.",
        &["policy gradient", "optimize", "return", "reinforcement"],
    ),
    (
        "Q-learning is an off-policy algorithm for learning action values.",
        &["q-learning", "off-policy", "action values"],
    ),
];

/// The built-in queries (`_generate_sample_queries`), worked on in turn.
const QUERIES: [&str; 3] = [
    "How do transformers process sequences?",
    "What are the main optimization techniques for neural networks?",
    "Compare policy gradient and Q-learning approaches.",
];

/// How many passages a synthesis cites at most (`passages[:5]`).
const CITED: usize = 5;
/// The verifier's `accuracy` (its constructor default).
const VERIFIER_ACCURACY: f64 = 0.9;

/// `_compute_relevance > 0`: the passage shares a word with the query
/// (Python's `str.lower().split()` sets; the corpus and queries are ASCII).
fn relevant(query: &str, (text, keywords): (&str, &[&str])) -> bool {
    let q = query.to_lowercase();
    let t = text.to_lowercase();
    q.split_whitespace().any(|w| {
        t.split_whitespace().any(|x| x == w) || keywords.iter().any(|k| k.to_lowercase() == w)
    })
}

/// Which scholar agent takes a turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Retriever,
    Synthesizer,
    Verifier,
}

/// A finalised handler action: which party (index into [`PARTIES`]) and
/// the observables.
#[derive(Debug, Clone, Copy)]
pub struct HandlerInteraction {
    pub party: usize,
    pub signals: Observables,
}

#[derive(Debug, Clone)]
pub struct Scholar {
    cfg: ScholarConfig,
    /// Passages retrieved per query (at most `top_k`).
    retrieved: [u64; 3],
    query: usize,
    /// Passages in the pool this epoch (0: empty).
    pool: u64,
    /// Draft citations this epoch, and how many are verified (always the
    /// first ones: a verifier takes the first unverified).
    citations: usize,
    verified: usize,
    /// A synthesis was made (they are never cleared).
    synthesized: bool,
}

impl Scholar {
    pub fn new(cfg: ScholarConfig) -> Self {
        let retrieved = QUERIES.map(|q| {
            let n = CORPUS.iter().filter(|&&p| relevant(q, p)).count() as u64;
            n.min(cfg.top_k)
        });
        Scholar { cfg, retrieved, query: 0, pool: 0, citations: 0, verified: 0, synthesized: false }
    }

    /// `on_epoch_end` (next query) and the next `on_epoch_start` (pool and
    /// drafts emptied): nothing is observed in between.
    pub fn on_epoch_end(&mut self) {
        self.query = (self.query + 1) % QUERIES.len();
        self.pool = 0;
        self.citations = 0;
        self.verified = 0;
    }

    /// A scholar agent's turn: the interaction its action makes, if any
    /// (None: a NOOP). `draw` is the agent's own stream, which only a
    /// verifier with a citation to check draws from, once.
    pub fn turn(&mut self, role: Role, draw: impl FnOnce() -> f64) -> Option<HandlerInteraction> {
        match role {
            Role::Retriever => {
                if self.pool > 0 {
                    return None;
                }
                let n = self.retrieved[self.query];
                self.pool = n;
                let progress = py_min(1.0, n as f64 / self.cfg.top_k as f64);
                Some(HandlerInteraction {
                    party: 0,
                    signals: Observables {
                        task_progress: progress,
                        rework: 0,
                        rejections: 0,
                        misuse: 0,
                        engagement: progress * 0.5,
                    },
                })
            }
            Role::Synthesizer => {
                if self.pool == 0 || self.synthesized {
                    return None;
                }
                self.synthesized = true;
                self.citations += (self.pool as usize).min(CITED);
                let coverage = 1.0;
                Some(HandlerInteraction {
                    party: 1,
                    signals: Observables {
                        task_progress: coverage,
                        rework: 0,
                        rejections: 0,
                        misuse: 0,
                        engagement: coverage * 0.6,
                    },
                })
            }
            Role::Verifier => {
                if self.verified >= self.citations {
                    return None;
                }
                self.verified += 1;
                // The claim is the passage's text: entailment 1, so the
                // verifier's own check says valid (>= 0.5), and so does the
                // handler's (>= entailment_threshold, at most 1).
                let valid = 1.0 >= self.cfg.entailment_threshold;
                // Right (valid) with probability `accuracy`, else wrong.
                let verdict = draw() < VERIFIER_ACCURACY;
                let correct = verdict == valid;
                Some(HandlerInteraction {
                    party: 2,
                    signals: Observables {
                        task_progress: if correct { 0.2 } else { -0.1 },
                        rework: u32::from(!correct),
                        rejections: u32::from(!valid),
                        misuse: 0,
                        engagement: if correct { 0.3 } else { -0.2 },
                    },
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_queries_retrieve_one_five_and_three_passages() {
        let s = Scholar::new(ScholarConfig::default());
        assert_eq!(s.retrieved, [1, 5, 3]);
        let s = Scholar::new(ScholarConfig { top_k: 2, ..Default::default() });
        assert_eq!(s.retrieved, [1, 2, 2]);
    }

    #[test]
    fn one_synthesis_per_run_and_one_check_per_citation() {
        let mut s = Scholar::new(ScholarConfig::default());
        assert!(s.turn(Role::Synthesizer, || 0.0).is_none());
        assert!(s.turn(Role::Verifier, || unreachable!()).is_none());
        let r = s.turn(Role::Retriever, || unreachable!()).expect("retrieves");
        assert_eq!(r.party, 0);
        assert_eq!(r.signals.task_progress, 1.0 / 30.0);
        assert!(s.turn(Role::Retriever, || unreachable!()).is_none());
        assert_eq!(s.turn(Role::Synthesizer, || unreachable!()).map(|r| r.party), Some(1));
        let wrong = s.turn(Role::Verifier, || 0.95).expect("verifies");
        assert_eq!((wrong.signals.rework, wrong.signals.engagement), (1, -0.2));
        assert!(s.turn(Role::Verifier, || unreachable!()).is_none());
        s.on_epoch_end();
        s.turn(Role::Retriever, || unreachable!()).expect("a new epoch's pool");
        assert!(s.turn(Role::Synthesizer, || unreachable!()).is_none());
    }
}
