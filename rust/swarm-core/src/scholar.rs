//! The scholar subsystem's handler (issue 17; swarm/core/scholar_handler.py,
//! `ScholarHandler`), for the reference's built-in corpus and queries.
//!
//! What the reference does with a `scholar:` section, traced on
//! collaborative_chemistry.yaml and scholar_bench/: each epoch works on one
//! of three built-in queries (in turn; the index advances at every epoch
//! end). The passage pool and the draft citations empty at each epoch
//! start; the syntheses never do.
//!
//! - A retriever's (or an adversarial retriever's) turn with an empty pool
//!   retrieves: the passages of the ten-passage corpus whose keywords or
//!   words overlap the query's words, best first, at most `top_k`. The
//!   handler finalises that as an accepted collaboration with the party
//!   `corpus`, with observables (n / top_k capped at 1, 0, 0, 0, half that).
//! - A synthesizer's turn with a non-empty pool and no synthesis yet in the
//!   whole run (the handler keeps every synthesis, and a synthesizer stops
//!   once its observation shows one) cites the pool's first five passages
//!   and appends the gold key points its answer lacks; an adversarial
//!   retriever's (pool non-empty) cites five too, laundering each with
//!   probability 0.3 (a negation inserted); an adversarial synthesizer's
//!   cites three and adds int(0.4 x 3) hallucinated claims on random
//!   pool passages. Observables (coverage, 0, 0, adversarial citations,
//!   0.6 coverage), with the party `synthesis_engine`; coverage is the
//!   share of gold key points with a word found in the answer (a substring
//!   test). Hence one synthesis per run.
//! - A verifier's turn while a draft citation is unverified checks the
//!   first one: one draw of its own stream, right with probability 0.9 (its
//!   `accuracy`, which no scenario key reaches) about whether the claim's
//!   words overlap the passage's by at least half; the handler judges it
//!   valid at `entailment_threshold`. Observables (0.2, 0, 0, ., 0.3) when
//!   the verdict matches the handler's, (-0.1, 1, 0, ., -0.2) when not;
//!   a rejection when invalid, a misuse flag when an adversarial citation
//!   is valid; with the party `verification_oracle`.
//!
//! Those three parties are not agents: the interaction goes through
//! governance, payoffs and the metrics, and its counterparty's side
//! reaches no state (the engine gives them ids past the agents').

use serde::{Deserialize, Serialize};

use crate::observables::{py_min, Observables};
use crate::rng::PyRandom;

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

/// Each query's gold key points (`gold_key_points`).
const GOLD: [[&str; 3]; 3] = [
    ["self-attention mechanism", "parallel processing", "query-key-value computation"],
    ["backpropagation", "adam optimizer", "gradient clipping"],
    [
        "policy gradient optimizes expected return",
        "Q-learning is off-policy",
        "action value learning",
    ],
];

/// The words both entailment checks drop.
const STOP_WORDS: [&str; 16] = [
    "the", "a", "an", "is", "are", "was", "were", "be", "been", "to", "of", "and", "or", "in",
    "on", "for",
];
/// `_generate_misleading_claim`'s negations.
const NEGATIONS: [&str; 4] = ["not", "never", "rarely", "hardly"];
/// `_generate_hallucination`'s templates.
const TEMPLATES: [&str; 4] = [
    "Recent studies have conclusively demonstrated that {topic}.",
    "Experts widely agree that {topic} represents a paradigm shift.",
    "The evidence overwhelmingly supports {topic}.",
    "Research has established that {topic} is fundamental.",
];

/// The verifier's `accuracy` (its constructor default).
const VERIFIER_ACCURACY: f64 = 0.9;
/// The adversarial retriever's `attack_rate` and the adversarial
/// synthesizer's `hallucination_rate` (constructor defaults).
const ATTACK_RATE: f64 = 0.3;
const HALLUCINATION_RATE: f64 = 0.4;

/// Python's `set(text.lower().split())`.
fn words(text: &str) -> Vec<String> {
    let mut out: Vec<String> = text.to_lowercase().split_whitespace().map(String::from).collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// `_compute_relevance`: the share of the query's words among the
/// passage's words and keywords (as a Python float division).
fn relevance(query: &str, (text, keywords): (&str, &[&str])) -> f64 {
    let q = words(query);
    let t = words(text);
    let overlap = q
        .iter()
        .filter(|w| t.contains(w) || keywords.iter().any(|k| k.to_lowercase() == **w))
        .count();
    py_min(1.0, overlap as f64 / q.len() as f64)
}

/// Both entailment checks (the verifier's `_check_entailment` and the
/// handler's `_compute_entailment`; they differ only on an all-whitespace
/// claim, which no agent writes): the share of the claim's words, stop
/// words dropped, found in the passage.
fn entailment(claim: &str, passage: &str) -> f64 {
    if claim.is_empty() || passage.is_empty() {
        return 0.0;
    }
    let keep = |w: &String| !STOP_WORDS.contains(&w.as_str());
    let c: Vec<String> = words(claim).into_iter().filter(keep).collect();
    let p: Vec<String> = words(passage).into_iter().filter(keep).collect();
    if c.is_empty() {
        return 0.5;
    }
    let overlap = c.iter().filter(|w| p.contains(w)).count();
    py_min(1.0, overlap as f64 / c.len() as f64)
}

/// Which scholar agent takes a turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Retriever,
    Synthesizer,
    Verifier,
    AdversarialRetriever,
    AdversarialSynthesizer,
}

/// A finalised handler action: which party (index into [`PARTIES`]) and
/// the observables.
#[derive(Debug, Clone, Copy)]
pub struct HandlerInteraction {
    pub party: usize,
    pub signals: Observables,
}

#[derive(Debug, Clone)]
struct Citation {
    claim: String,
    passage: usize,
    adversarial: bool,
    verified: bool,
}

#[derive(Debug, Clone)]
pub struct Scholar {
    cfg: ScholarConfig,
    /// Each query's retrieval: passage indices, best first (a stable sort
    /// by relevance, descending), at most `top_k`.
    retrieved: [Vec<usize>; 3],
    query: usize,
    /// The pool this epoch, in retrieval order (empty: none yet).
    pool: Vec<usize>,
    /// This epoch's draft citations.
    drafts: Vec<Citation>,
    /// A synthesis was made (they are never cleared).
    synthesized: bool,
}

impl Scholar {
    pub fn new(cfg: ScholarConfig) -> Self {
        let top_k = usize::try_from(cfg.top_k).unwrap_or(usize::MAX);
        let retrieved = QUERIES.map(|q| {
            let mut scored: Vec<(f64, usize)> = CORPUS
                .iter()
                .enumerate()
                .map(|(i, &p)| (relevance(q, p), i))
                .filter(|&(s, _)| s > 0.0)
                .collect();
            // Stable, best first (Python's sort with reverse=True keeps
            // equal scores in corpus order).
            scored.sort_by(|a, b| b.0.total_cmp(&a.0));
            scored.into_iter().take(top_k).map(|(_, i)| i).collect()
        });
        Scholar {
            cfg,
            retrieved,
            query: 0,
            pool: Vec::new(),
            drafts: Vec::new(),
            synthesized: false,
        }
    }

    /// `on_epoch_end` (next query) and the next `on_epoch_start` (pool and
    /// drafts emptied): nothing is observed in between.
    pub fn on_epoch_end(&mut self) {
        self.query = (self.query + 1) % QUERIES.len();
        self.pool.clear();
        self.drafts.clear();
    }

    /// A scholar agent's turn: the interaction its action makes, if any
    /// (None: a NOOP). `rng` is the agent's own stream.
    pub fn turn(&mut self, role: Role, rng: &mut PyRandom) -> Option<HandlerInteraction> {
        match role {
            Role::Retriever | Role::AdversarialRetriever if self.pool.is_empty() => {
                Some(self.retrieve())
            }
            Role::Retriever => None,
            Role::Synthesizer | Role::AdversarialRetriever | Role::AdversarialSynthesizer => {
                if self.pool.is_empty() || self.synthesized {
                    return None;
                }
                Some(self.synthesize(role, rng))
            }
            Role::Verifier => self.verify(rng),
        }
    }

    fn retrieve(&mut self) -> HandlerInteraction {
        self.pool = self.retrieved[self.query].clone();
        let progress = py_min(1.0, self.pool.len() as f64 / self.cfg.top_k as f64);
        HandlerInteraction {
            party: 0,
            signals: Observables {
                task_progress: progress,
                rework: 0,
                rejections: 0,
                misuse: 0,
                engagement: progress * 0.5,
            },
        }
    }

    /// The three synthesizing policies' answers and citations, with their
    /// draws in the reference's order, then the handler's observables.
    fn synthesize(&mut self, role: Role, rng: &mut PyRandom) -> HandlerInteraction {
        let query = QUERIES[self.query];
        let mut parts: Vec<String> = Vec::new();
        let mut cites: Vec<Citation> = Vec::new();
        let cite = |claim: String, passage: usize, adversarial: bool| Citation {
            claim,
            passage,
            adversarial,
            verified: false,
        };
        // Every corpus text is under the policies' 80 and 100 character cuts.
        match role {
            Role::Synthesizer => {
                parts.push(format!("Based on the literature, {query}"));
                for &i in self.pool.iter().take(5) {
                    parts.push(CORPUS[i].0.to_string());
                    cites.push(cite(CORPUS[i].0.to_string(), i, false));
                }
            }
            Role::AdversarialRetriever => {
                parts.push(format!("According to the research, {query}"));
                for &i in self.pool.iter().take(5) {
                    let laundered = rng.random() < ATTACK_RATE;
                    let claim = if laundered {
                        let mut w: Vec<&str> = CORPUS[i].0.split_whitespace().collect();
                        if w.len() > 3 {
                            let at = rng.randint(1, 3.min(w.len() as i64 - 1)) as usize;
                            w.insert(at, NEGATIONS[rng.choice_index(NEGATIONS.len())]);
                        }
                        // The entailment score it writes: overwritten when checked.
                        rng.random();
                        w.join(" ")
                    } else {
                        CORPUS[i].0.to_string()
                    };
                    parts.push(claim.clone());
                    cites.push(cite(claim, i, laundered));
                }
            }
            Role::AdversarialSynthesizer => {
                parts.push(format!("The literature shows that {query}"));
                for &i in self.pool.iter().take(3) {
                    parts.push(CORPUS[i].0.to_string());
                    cites.push(cite(CORPUS[i].0.to_string(), i, false));
                }
                let n = (cites.len() as f64 * HALLUCINATION_RATE) as usize;
                let w: Vec<&str> = query.split_whitespace().collect();
                let topic =
                    if w.len() > 4 { w[2..w.len().min(6)].join(" ") } else { query.to_string() };
                for _ in 0..n {
                    let template = TEMPLATES[rng.choice_index(TEMPLATES.len())];
                    let claim = template.replace("{topic}", &topic);
                    let i = self.pool[rng.choice_index(self.pool.len())];
                    parts.push(claim.clone());
                    cites.push(cite(claim, i, true));
                }
            }
            Role::Retriever | Role::Verifier => unreachable!("not a synthesizing role"),
        }
        let mut answer = parts.join("\n\n");
        if role == Role::Synthesizer {
            for point in GOLD[self.query] {
                if !answer.to_lowercase().contains(&point.to_lowercase()) {
                    answer.push_str(&format!("\n\nThe literature also discusses {point}."));
                }
            }
        }
        let lower = answer.to_lowercase();
        let covered = GOLD[self.query]
            .iter()
            .filter(|p| words(p).iter().any(|w| lower.contains(w.as_str())))
            .count();
        let coverage = covered as f64 / GOLD[self.query].len().max(1) as f64;
        let misuse = cites.iter().filter(|c| c.adversarial).count() as u32;
        self.synthesized = true;
        self.drafts.extend(cites);
        HandlerInteraction {
            party: 1,
            signals: Observables {
                task_progress: coverage,
                rework: 0,
                rejections: 0,
                misuse,
                engagement: coverage * 0.6,
            },
        }
    }

    fn verify(&mut self, rng: &mut PyRandom) -> Option<HandlerInteraction> {
        let c = self.drafts.iter_mut().find(|c| !c.verified)?;
        // The verifier reads the passage from its observation's pool, where
        // every cited passage is; the handler from the corpus.
        let text = CORPUS[c.passage].0;
        let seen = entailment(&c.claim, text);
        let verdict = if rng.random() < VERIFIER_ACCURACY { seen >= 0.5 } else { seen < 0.5 };
        c.verified = true;
        let valid = entailment(&c.claim, text) >= self.cfg.entailment_threshold;
        let correct = verdict == valid;
        Some(HandlerInteraction {
            party: 2,
            signals: Observables {
                task_progress: if correct { 0.2 } else { -0.1 },
                rework: u32::from(!correct),
                rejections: u32::from(!valid),
                misuse: u32::from(c.adversarial && valid),
                engagement: if correct { 0.3 } else { -0.2 },
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_queries_retrieve_one_five_and_three_passages() {
        let s = Scholar::new(ScholarConfig::default());
        assert_eq!(s.retrieved, [vec![2], vec![1, 3, 4, 8, 9], vec![8, 7, 9]]);
        let s = Scholar::new(ScholarConfig { top_k: 2, ..Default::default() });
        assert_eq!(s.retrieved.map(|r| r.len()), [1, 2, 2]);
    }

    #[test]
    fn a_claim_that_is_its_passage_entails_it() {
        for (text, _) in CORPUS {
            assert!(text.len() < 80);
            assert_eq!(entailment(text, text), 1.0);
        }
    }

    #[test]
    fn one_synthesis_per_run_and_one_check_per_citation() {
        let mut rng = PyRandom::new(7);
        let mut s = Scholar::new(ScholarConfig::default());
        assert!(s.turn(Role::Synthesizer, &mut rng).is_none());
        assert!(s.turn(Role::Verifier, &mut rng).is_none());
        let r = s.turn(Role::Retriever, &mut rng).expect("retrieves");
        assert_eq!(r.party, 0);
        assert_eq!(r.signals.task_progress, 1.0 / 30.0);
        assert!(s.turn(Role::Retriever, &mut rng).is_none());
        let syn = s.turn(Role::Synthesizer, &mut rng).expect("synthesizes");
        assert_eq!((syn.party, syn.signals.task_progress), (1, 1.0));
        assert_eq!(s.turn(Role::Verifier, &mut rng).map(|r| r.party), Some(2));
        assert!(s.turn(Role::Verifier, &mut rng).is_none());
        s.on_epoch_end();
        s.turn(Role::Retriever, &mut rng).expect("a new epoch's pool");
        assert!(s.turn(Role::Synthesizer, &mut rng).is_none());
    }
}
