//! The callback bridge: Python objects as the core's external policies
//! (`swarm_core::agents::external`). Each call takes the GIL for itself
//! only; the run holds it nowhere else. Observations reach Python as an
//! `Observation` whose list fields are built when first read, so a policy
//! that reads two numbers pays for two numbers.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use pyo3::exceptions::{PyException, PyValueError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::GILOnceCell;
use pyo3::types::{PyDict, PyList, PyString};
use swarm_core::agents::external::{
    ExternalError, ExternalObservation, ExternalPolicy, ExternalResult, Outcome, Roster,
    UNKNOWN_AGENT, UNKNOWN_POST, UNKNOWN_PROPOSAL,
};
use swarm_core::marketplace::{MarketView, TaskStatus, TaskView};
use swarm_core::observation::ProposalView;
use swarm_core::types::{Action as CoreAction, Actor, AgentIdx, InteractionType, StateType};

/// What every observation of a run shares: the ids as Python strings
/// (made once per run) and the run's label.
struct Shared {
    ids: Vec<Py<PyString>>,
    types: Vec<StateType>,
    simulation_id: String,
}

fn interaction_type_name(t: InteractionType) -> &'static str {
    t.as_str()
}

fn parse_interaction_type(s: &str) -> Option<InteractionType> {
    Some(match s {
        "reply" => InteractionType::Reply,
        "vote" => InteractionType::Vote,
        "trade" => InteractionType::Trade,
        "collaboration" => InteractionType::Collaboration,
        _ => return None,
    })
}

/// What an agent sees on its turn or when answering a proposal
/// (reference `Observation`, spec-ext §3.1).
#[pyclass(frozen, module = "swarm_fast._core")]
pub struct Observation {
    obs: ExternalObservation,
    shared: Arc<Shared>,
    posts: GILOnceCell<Py<PyList>>,
    pending: GILOnceCell<Py<PyList>>,
    visible: GILOnceCell<Py<PyList>>,
    ecosystem: GILOnceCell<Py<PyDict>>,
}

impl Observation {
    fn id<'py>(&self, py: Python<'py>, idx: AgentIdx) -> Bound<'py, PyString> {
        self.shared.ids[idx as usize].bind(py).clone()
    }

    /// One list of marketplace records, each a dict built by `fill` (empty
    /// without a marketplace).
    fn market_list<T>(
        &self,
        py: Python<'_>,
        pick: impl Fn(&MarketView) -> &Vec<T>,
        fill: impl Fn(&Bound<'_, PyDict>, &T) -> PyResult<()>,
    ) -> PyResult<Py<PyList>> {
        let out = PyList::empty(py);
        if let Some(m) = &self.obs.market {
            for item in pick(m) {
                let d = PyDict::new(py);
                fill(&d, item)?;
                out.append(d)?;
            }
        }
        Ok(out.unbind())
    }

    fn tasks(&self, py: Python<'_>, active: bool) -> PyResult<Py<PyList>> {
        let pick: fn(&MarketView) -> &Vec<TaskView> =
            if active { |m| &m.active_tasks } else { |m| &m.available_tasks };
        self.market_list(py, pick, |d, t: &TaskView| {
            d.set_item(intern!(py, "task_id"), t.id)?;
            d.set_item(intern!(py, "bounty"), t.bounty)?;
            d.set_item(intern!(py, "min_reputation"), t.min_reputation)?;
            let status = match t.status {
                TaskStatus::Open => "open",
                TaskStatus::Claimed => "claimed",
                TaskStatus::Submitted => "submitted",
            };
            d.set_item(intern!(py, "status"), status)
        })
    }
}

#[pymethods]
impl Observation {
    #[getter]
    fn agent_id<'py>(&self, py: Python<'py>) -> Bound<'py, PyString> {
        self.id(py, self.obs.agent)
    }
    #[getter]
    fn epoch(&self) -> u32 {
        self.obs.epoch
    }
    #[getter]
    fn step(&self) -> u32 {
        self.obs.step
    }
    #[getter]
    fn reputation(&self) -> f64 {
        self.obs.reputation
    }
    #[getter]
    fn resources(&self) -> f64 {
        self.obs.resources
    }
    #[getter]
    fn total_payoff(&self) -> f64 {
        self.obs.total_payoff
    }
    #[getter]
    fn can_post(&self) -> bool {
        self.obs.can_post
    }
    #[getter]
    fn can_interact(&self) -> bool {
        self.obs.can_interact
    }
    #[getter]
    fn can_vote(&self) -> bool {
        self.obs.can_vote
    }
    #[getter]
    fn can_claim_task(&self) -> bool {
        self.obs.can_claim_task
    }

    /// The ranked feed, best first: dicts with post_id, author_id, net_votes.
    #[getter]
    fn visible_posts(&self, py: Python<'_>) -> PyResult<Py<PyList>> {
        let list = self.posts.get_or_try_init(py, || -> PyResult<Py<PyList>> {
            let out = PyList::empty(py);
            for p in &self.obs.posts {
                let d = PyDict::new(py);
                d.set_item(intern!(py, "post_id"), p.post.idx)?;
                match p.post.author {
                    Actor::Agent(a) => d.set_item(intern!(py, "author_id"), self.id(py, a))?,
                    Actor::Anonymous => d.set_item(intern!(py, "author_id"), "")?,
                }
                d.set_item(intern!(py, "net_votes"), p.net_votes)?;
                out.append(d)?;
            }
            Ok(out.unbind())
        })?;
        Ok(list.clone_ref(py))
    }

    /// Proposals addressed to this agent, oldest first: dicts with
    /// proposal_id, initiator_id, interaction_type.
    #[getter]
    fn pending_proposals(&self, py: Python<'_>) -> PyResult<Py<PyList>> {
        let list = self.pending.get_or_try_init(py, || -> PyResult<Py<PyList>> {
            let out = PyList::empty(py);
            for p in &self.obs.pending {
                let d = PyDict::new(py);
                d.set_item(intern!(py, "proposal_id"), p.id)?;
                d.set_item(intern!(py, "initiator_id"), self.id(py, p.initiator))?;
                d.set_item(intern!(py, "interaction_type"), interaction_type_name(p.kind))?;
                out.append(d)?;
            }
            Ok(out.unbind())
        })?;
        Ok(list.clone_ref(py))
    }

    /// The other agents this agent can see, in registration order (after
    /// observation noise): dicts with agent_id, agent_type, reputation,
    /// resources.
    #[getter]
    fn visible_agents(&self, py: Python<'_>) -> PyResult<Py<PyList>> {
        let list = self.visible.get_or_try_init(py, || -> PyResult<Py<PyList>> {
            let out = PyList::empty(py);
            for v in &self.obs.visible {
                let d = PyDict::new(py);
                d.set_item(intern!(py, "agent_id"), self.id(py, v.idx))?;
                d.set_item(intern!(py, "agent_type"), v.state_type.as_str())?;
                d.set_item(intern!(py, "reputation"), v.reputation)?;
                d.set_item(intern!(py, "resources"), v.resources)?;
                out.append(d)?;
            }
            Ok(out.unbind())
        })?;
        Ok(list.clone_ref(py))
    }

    /// The reference's `get_epoch_metrics_snapshot()`, in its key order.
    #[getter]
    fn ecosystem_metrics(&self, py: Python<'_>) -> PyResult<Py<PyDict>> {
        let d = self.ecosystem.get_or_try_init(py, || -> PyResult<Py<PyDict>> {
            let e = &self.obs.ecosystem;
            let d = PyDict::new(py);
            d.set_item("simulation_id", &self.shared.simulation_id)?;
            let ints = [
                ("epoch", u64::from(e.epoch)),
                ("step", u64::from(e.step)),
                ("total_agents", e.total_agents),
                ("active_agents", e.active_agents),
                ("frozen_agents", e.frozen_agents),
                ("pending_proposals", e.pending_proposals),
                ("completed_interactions", e.completed_interactions),
            ];
            for (k, (name, v)) in ints.into_iter().enumerate() {
                // A jittered count is a float, as `float(value) + gauss`.
                match e.noisy[k] {
                    Some(x) => d.set_item(name, x)?,
                    None => d.set_item(name, v)?,
                }
            }
            d.set_item("is_paused", false)?;
            d.set_item("avg_reputation", e.noisy[7].unwrap_or(e.avg_reputation))?;
            d.set_item("total_resources", e.noisy[8].unwrap_or(e.total_resources))?;
            Ok(d.unbind())
        })?;
        Ok(d.clone_ref(py))
    }

    /// Marketplace (spec §13.3; empty without one): open bounties this
    /// agent may bid on, dicts with bounty_id, reward_amount.
    #[getter]
    fn available_bounties(&self, py: Python<'_>) -> PyResult<Py<PyList>> {
        self.market_list(
            py,
            |m| &m.available_bounties,
            |d, b| {
                d.set_item(intern!(py, "bounty_id"), b.id)?;
                d.set_item(intern!(py, "reward_amount"), b.reward)
            },
        )
    }

    /// Marketplace: this agent's escrows still held, dicts with escrow_id.
    #[getter]
    fn active_escrows(&self, py: Python<'_>) -> PyResult<Py<PyList>> {
        self.market_list(py, |m| &m.active_escrows, |d, e| d.set_item(intern!(py, "escrow_id"), *e))
    }

    /// Marketplace: pending bids on this agent's open bounties, dicts with
    /// bid_id, bounty_id, bidder_id, bid_amount.
    #[getter]
    fn pending_bid_decisions(&self, py: Python<'_>) -> PyResult<Py<PyList>> {
        self.market_list(
            py,
            |m| &m.bid_decisions,
            |d, b| {
                d.set_item(intern!(py, "bid_id"), b.bid)?;
                d.set_item(intern!(py, "bounty_id"), b.bounty)?;
                d.set_item(intern!(py, "bidder_id"), self.id(py, b.bidder))?;
                d.set_item(intern!(py, "bid_amount"), b.amount)
            },
        )
    }

    /// Marketplace: tasks this agent may claim, dicts with task_id, bounty,
    /// min_reputation, status.
    #[getter]
    fn available_tasks(&self, py: Python<'_>) -> PyResult<Py<PyList>> {
        self.tasks(py, false)
    }

    /// Marketplace: this agent's claimed tasks (same fields).
    #[getter]
    fn active_tasks(&self, py: Python<'_>) -> PyResult<Py<PyList>> {
        self.tasks(py, true)
    }

    /// The `agent_type` every agent registered with, by id (for policies
    /// that want the whole population, not only the visible part).
    fn agent_type_of(&self, py: Python<'_>, agent_id: &str) -> Option<&'static str> {
        self.shared
            .ids
            .iter()
            .position(|s| s.bind(py).to_cow().is_ok_and(|x| x == agent_id))
            .map(|i| self.shared.types[i].as_str())
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "Observation(agent_id={:?}, epoch={}, step={}, reputation={}, resources={}, \
             pending_proposals={}, visible_agents={})",
            self.id(py, self.obs.agent).to_string(),
            self.obs.epoch,
            self.obs.step,
            self.obs.reputation,
            self.obs.resources,
            self.obs.pending.len(),
            self.obs.visible.len()
        )
    }
}

#[derive(Clone, Debug)]
enum Kind {
    Noop,
    Post,
    Vote { post: Option<u64>, up: bool },
    Propose { counterparty: String, kind: InteractionType },
    Accept(Option<u64>),
    Reject(Option<u64>),
    PostBounty { reward: f64, min_reputation: f64, deadline: Option<i64> },
    PlaceBid { bounty: Option<u64>, amount: f64 },
    AcceptBid { bounty: Option<u64>, bid: Option<u64> },
    FileDispute(Option<u64>),
    ClaimTask(Option<u64>),
    SubmitOutput(Option<u64>),
}

fn finite(name: &str, v: f64) -> PyResult<f64> {
    if v.is_finite() {
        Ok(v)
    } else {
        Err(PyValueError::new_err(format!("{name}: expected a finite number, got {v}")))
    }
}

/// What an agent does on its turn. Build one with the static methods.
#[pyclass(frozen, module = "swarm_fast._core")]
#[derive(Clone)]
pub struct Action {
    kind: Kind,
    content: String,
}

fn id_or_unknown(v: Option<i128>) -> Option<u64> {
    v.and_then(|x| u64::try_from(x).ok())
}

/// A marketplace id; one that names nothing fails silently (the market
/// looks ids up and ignores the unknown).
fn market_id(v: Option<u64>) -> u32 {
    v.and_then(|x| u32::try_from(x).ok()).unwrap_or(u32::MAX)
}

#[pymethods]
impl Action {
    /// Do nothing this turn.
    #[staticmethod]
    fn noop() -> Self {
        Action { kind: Kind::Noop, content: String::new() }
    }

    /// Create a post (subject to `posts_per_epoch`). The content is kept
    /// on the Action only: the core feed stores no text.
    #[staticmethod]
    #[pyo3(signature = (content=String::new()))]
    fn post(content: String) -> Self {
        Action { kind: Kind::Post, content }
    }

    /// Vote on a post (`direction` > 0 up, else down). An unknown post id
    /// (or None) fails silently, as in the reference.
    #[staticmethod]
    #[pyo3(signature = (post_id, direction=1))]
    fn vote(post_id: Option<i128>, direction: i64) -> Self {
        Action {
            kind: Kind::Vote { post: id_or_unknown(post_id), up: direction > 0 },
            content: String::new(),
        }
    }

    /// Propose an interaction. Any id is accepted: a proposal to an id
    /// that names no agent stays pending for ever (reference §4.1).
    #[staticmethod]
    #[pyo3(signature = (counterparty_id, interaction_type="collaboration", content=String::new()))]
    fn propose(counterparty_id: String, interaction_type: &str, content: String) -> PyResult<Self> {
        let kind = parse_interaction_type(interaction_type).ok_or_else(|| {
            PyValueError::new_err(format!(
                "interaction_type: expected one of reply, vote, trade, collaboration, got {interaction_type:?}"
            ))
        })?;
        Ok(Action { kind: Kind::Propose { counterparty: counterparty_id, kind }, content })
    }

    /// Accept a pending proposal in this turn (unknown ids fail silently).
    #[staticmethod]
    #[pyo3(signature = (proposal_id))]
    fn accept(proposal_id: Option<i128>) -> Self {
        Action { kind: Kind::Accept(id_or_unknown(proposal_id)), content: String::new() }
    }

    /// Reject a pending proposal in this turn (unknown ids fail silently).
    #[staticmethod]
    #[pyo3(signature = (proposal_id))]
    fn reject(proposal_id: Option<i128>) -> Self {
        Action { kind: Kind::Reject(id_or_unknown(proposal_id)), content: String::new() }
    }

    /// Post a bounty of `reward_amount` (marketplace; subject to
    /// `bounties_per_epoch`, the poster's resources and the market's
    /// minimum, as for the scripted agents). `deadline_epoch` None or 0: none.
    #[staticmethod]
    #[pyo3(signature = (reward_amount, min_reputation=0.0, deadline_epoch=None))]
    fn post_bounty(
        reward_amount: f64,
        min_reputation: f64,
        deadline_epoch: Option<i64>,
    ) -> PyResult<Self> {
        Ok(Action {
            kind: Kind::PostBounty {
                reward: finite("reward_amount", reward_amount)?,
                min_reputation: finite("min_reputation", min_reputation)?,
                deadline: deadline_epoch,
            },
            content: String::new(),
        })
    }

    /// Bid `bid_amount` on an open bounty (marketplace; unknown ids fail
    /// silently).
    #[staticmethod]
    #[pyo3(signature = (bounty_id, bid_amount))]
    fn place_bid(bounty_id: Option<i128>, bid_amount: f64) -> PyResult<Self> {
        Ok(Action {
            kind: Kind::PlaceBid {
                bounty: id_or_unknown(bounty_id),
                amount: finite("bid_amount", bid_amount)?,
            },
            content: String::new(),
        })
    }

    /// Accept a bid on one of this agent's bounties (marketplace).
    #[staticmethod]
    #[pyo3(signature = (bounty_id, bid_id))]
    fn accept_bid(bounty_id: Option<i128>, bid_id: Option<i128>) -> Self {
        Action {
            kind: Kind::AcceptBid { bounty: id_or_unknown(bounty_id), bid: id_or_unknown(bid_id) },
            content: String::new(),
        }
    }

    /// File a dispute on a held escrow (marketplace).
    #[staticmethod]
    #[pyo3(signature = (escrow_id))]
    fn file_dispute(escrow_id: Option<i128>) -> Self {
        Action { kind: Kind::FileDispute(id_or_unknown(escrow_id)), content: String::new() }
    }

    /// Claim a task (marketplace; subject to `tasks_per_epoch`).
    #[staticmethod]
    #[pyo3(signature = (task_id))]
    fn claim_task(task_id: Option<i128>) -> Self {
        Action { kind: Kind::ClaimTask(id_or_unknown(task_id)), content: String::new() }
    }

    /// Submit the output of a claimed task (marketplace).
    #[staticmethod]
    #[pyo3(signature = (task_id))]
    fn submit_output(task_id: Option<i128>) -> Self {
        Action { kind: Kind::SubmitOutput(id_or_unknown(task_id)), content: String::new() }
    }

    /// "noop", "post", "vote", "propose_interaction", "accept_interaction",
    /// "reject_interaction", or a marketplace action ("post_bounty",
    /// "place_bid", "accept_bid", "file_dispute", "claim_task",
    /// "submit_output").
    #[getter]
    fn action_type(&self) -> &'static str {
        match self.kind {
            Kind::Noop => "noop",
            Kind::Post => "post",
            Kind::Vote { .. } => "vote",
            Kind::Propose { .. } => "propose_interaction",
            Kind::Accept(_) => "accept_interaction",
            Kind::Reject(_) => "reject_interaction",
            Kind::PostBounty { .. } => "post_bounty",
            Kind::PlaceBid { .. } => "place_bid",
            Kind::AcceptBid { .. } => "accept_bid",
            Kind::FileDispute(_) => "file_dispute",
            Kind::ClaimTask(_) => "claim_task",
            Kind::SubmitOutput(_) => "submit_output",
        }
    }

    #[getter]
    fn content(&self) -> &str {
        &self.content
    }

    /// The post, proposal or agent the action names, if any.
    #[getter]
    fn target(&self, py: Python<'_>) -> PyResult<PyObject> {
        Ok(match &self.kind {
            Kind::Noop | Kind::Post | Kind::PostBounty { .. } => py.None(),
            Kind::PlaceBid { bounty: t, .. }
            | Kind::AcceptBid { bid: t, .. }
            | Kind::FileDispute(t)
            | Kind::ClaimTask(t)
            | Kind::SubmitOutput(t) => t.into_pyobject(py)?.into_any().unbind(),
            Kind::Vote { post, .. } => post.into_pyobject(py)?.into_any().unbind(),
            Kind::Accept(p) | Kind::Reject(p) => p.into_pyobject(py)?.into_any().unbind(),
            Kind::Propose { counterparty, .. } => {
                counterparty.into_pyobject(py)?.into_any().unbind()
            }
        })
    }

    #[getter]
    fn interaction_type(&self) -> Option<&'static str> {
        match self.kind {
            Kind::Propose { kind, .. } => Some(kind.as_str()),
            _ => None,
        }
    }

    #[getter]
    fn vote_direction(&self) -> Option<i64> {
        match self.kind {
            Kind::Vote { up, .. } => Some(if up { 1 } else { -1 }),
            _ => None,
        }
    }

    fn __eq__(&self, other: &Self) -> bool {
        format!("{:?}{}", self.kind, self.content) == format!("{:?}{}", other.kind, other.content)
    }

    fn __repr__(&self) -> String {
        format!("Action.{}", format!("{:?}", self.kind).to_lowercase())
    }
}

/// A proposal an agent is asked to answer at the end of a step.
#[pyclass(frozen, get_all, module = "swarm_fast._core")]
pub struct Proposal {
    proposal_id: u64,
    initiator_id: Py<PyString>,
    interaction_type: &'static str,
}

#[pymethods]
impl Proposal {
    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "Proposal(proposal_id={}, initiator_id={:?}, interaction_type={:?})",
            self.proposal_id,
            self.initiator_id.bind(py).to_string(),
            self.interaction_type
        )
    }
}

/// A finished interaction, as `update_from_outcome(interaction, payoff)`
/// receives it (accepted or not). `agent_id` is the party being told (one
/// object may serve several agents).
#[pyclass(frozen, get_all, module = "swarm_fast._core")]
pub struct Interaction {
    agent_id: Py<PyString>,
    epoch: u32,
    step: u32,
    initiator: Py<PyString>,
    counterparty: Py<PyString>,
    interaction_type: &'static str,
    accepted: bool,
    v_hat: f64,
    p: f64,
}

#[pymethods]
impl Interaction {
    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "Interaction(epoch={}, step={}, initiator={:?}, counterparty={:?}, \
             interaction_type={:?}, accepted={}, p={})",
            self.epoch,
            self.step,
            self.initiator.bind(py).to_string(),
            self.counterparty.bind(py).to_string(),
            self.interaction_type,
            self.accepted,
            self.p
        )
    }
}

/// The Python objects of a run's external agents, one per slot (the same
/// object may serve several slots), as the core's `ExternalPolicy`.
pub struct PyPolicies {
    objects: Vec<Py<PyAny>>,
    has_update: Vec<bool>,
    simulation_id: String,
    shared: Option<Arc<Shared>>,
    by_id: HashMap<String, AgentIdx>,
    slots: Vec<AgentIdx>,
    /// Batched mode: how many calls of one batch may run at once (worker
    /// threads; each LLM call releases the GIL while it waits).
    concurrency: usize,
    /// A BaseException that is no Exception (KeyboardInterrupt,
    /// SystemExit) raised by a callback: it stops the run and is re-raised.
    pub stopped: Arc<Mutex<Option<PyErr>>>,
}

impl PyPolicies {
    pub fn new(
        py: Python<'_>,
        objects: Vec<Py<PyAny>>,
        simulation_id: String,
        concurrency: usize,
    ) -> PyResult<Self> {
        let mut has_update = Vec::with_capacity(objects.len());
        for (i, o) in objects.iter().enumerate() {
            let o = o.bind(py);
            for m in ["act", "accept_interaction"] {
                if !o.hasattr(m)? {
                    return Err(PyValueError::new_err(format!(
                        "policy {i} ({}) has no {m}() method",
                        o.get_type().name()?
                    )));
                }
            }
            has_update.push(o.hasattr("update_from_outcome")?);
        }
        Ok(PyPolicies {
            objects,
            has_update,
            simulation_id,
            shared: None,
            by_id: HashMap::new(),
            slots: Vec::new(),
            concurrency,
            stopped: Arc::new(Mutex::new(None)),
        })
    }

    fn shared(&self) -> &Arc<Shared> {
        self.shared.as_ref().expect("begin() runs before any call")
    }

    fn observation(&self, obs: ExternalObservation) -> Observation {
        Observation {
            obs,
            shared: self.shared().clone(),
            posts: GILOnceCell::new(),
            pending: GILOnceCell::new(),
            visible: GILOnceCell::new(),
            ecosystem: GILOnceCell::new(),
        }
    }

    /// A Python exception as the core sees it: an ordinary exception is a
    /// fallback; anything else stops the run (kept for re-raising).
    fn failure(&self, py: Python<'_>, e: PyErr) -> ExternalError {
        let message = format!("{}: {}", type_name(py, &e), e.value(py));
        if e.is_instance_of::<PyException>(py) {
            ExternalError::fallback(message)
        } else {
            if let Ok(mut slot) = self.stopped.lock() {
                slot.get_or_insert(e);
            }
            ExternalError { message, abort: true }
        }
    }

    fn to_core(&self, a: &Action) -> CoreAction {
        let known = |x: Option<u64>| x.unwrap_or(UNKNOWN_PROPOSAL);
        match &a.kind {
            Kind::Noop => CoreAction::Noop,
            Kind::Post => CoreAction::Post,
            Kind::Vote { post, up } => CoreAction::Vote {
                post: post.and_then(|p| u32::try_from(p).ok()).unwrap_or(UNKNOWN_POST),
                up: *up,
            },
            Kind::Propose { counterparty, kind } => CoreAction::Propose {
                target: self.by_id.get(counterparty).copied().unwrap_or(UNKNOWN_AGENT),
                kind: *kind,
            },
            Kind::Accept(p) => CoreAction::Accept { proposal: known(*p) },
            Kind::Reject(p) => CoreAction::Reject { proposal: known(*p) },
            Kind::PostBounty { reward, min_reputation, deadline } => CoreAction::PostBounty {
                reward: *reward,
                min_reputation: *min_reputation,
                deadline: *deadline,
            },
            Kind::PlaceBid { bounty, amount } => {
                CoreAction::PlaceBid { bounty: market_id(*bounty), amount: *amount }
            }
            Kind::AcceptBid { bounty, bid } => {
                CoreAction::AcceptBid { bounty: market_id(*bounty), bid: market_id(*bid) }
            }
            Kind::FileDispute(e) => CoreAction::FileDispute { escrow: market_id(*e) },
            Kind::ClaimTask(t) => CoreAction::ClaimTask { task: market_id(*t) },
            Kind::SubmitOutput(t) => CoreAction::SubmitOutput { task: market_id(*t) },
        }
    }
}

impl PyPolicies {
    /// Run `calls` (object, method, args) through the Python helper that
    /// spreads them over `concurrency` worker threads; each answer is the
    /// value or the exception.
    fn call_all(
        &self,
        py: Python<'_>,
        calls: Vec<(Py<PyAny>, &'static str, Bound<'_, pyo3::types::PyTuple>)>,
    ) -> Vec<Result<PyObject, PyErr>> {
        let n = calls.len();
        let run = || -> PyResult<Vec<(bool, PyObject)>> {
            let helper = py.import("swarm_fast.agents.batch")?.getattr("call_all")?;
            helper.call1((calls, self.concurrency))?.extract()
        };
        match run() {
            Ok(answers) => answers
                .into_iter()
                .map(|(ok, v)| if ok { Ok(v) } else { Err(PyErr::from_value(v.into_bound(py))) })
                .collect(),
            Err(e) => {
                let msg = format!("batched call failed: {e}");
                (0..n).map(|_| Err(PyException::new_err(msg.clone()))).collect()
            }
        }
    }

    fn as_action(&self, py: Python<'_>, v: PyObject) -> ExternalResult<CoreAction> {
        let v = v.into_bound(py);
        match v.downcast::<Action>() {
            Ok(a) => Ok(self.to_core(a.get())),
            Err(_) => Err(ExternalError::fallback(format!(
                "act() returned {}, not a swarm_fast.Action",
                v.get_type().name().map(|n| n.to_string()).unwrap_or_default()
            ))),
        }
    }
}

fn type_name(py: Python<'_>, e: &PyErr) -> String {
    e.get_type(py).name().map(|n| n.to_string()).unwrap_or_else(|_| "Exception".into())
}

impl ExternalPolicy for PyPolicies {
    fn begin(&mut self, roster: &Roster<'_>) -> ExternalResult<()> {
        if roster.slots.len() != self.objects.len() {
            return Err(ExternalError::fallback(format!(
                "the scenario has {} external agents but {} policies were given",
                roster.slots.len(),
                self.objects.len()
            )));
        }
        self.slots = roster.slots.to_vec();
        self.by_id =
            roster.ids.iter().enumerate().map(|(i, s)| (s.clone(), i as AgentIdx)).collect();
        let ids = Python::with_gil(|py| {
            roster.ids.iter().map(|s| PyString::new(py, s).unbind()).collect()
        });
        self.shared = Some(Arc::new(Shared {
            ids,
            types: roster.types.to_vec(),
            simulation_id: self.simulation_id.clone(),
        }));
        Ok(())
    }

    fn act(&mut self, slot: usize, obs: ExternalObservation) -> ExternalResult<CoreAction> {
        let view = self.observation(obs);
        Python::with_gil(|py| {
            let r = self.objects[slot].bind(py).call_method1(intern!(py, "act"), (view,));
            match r {
                Ok(v) => match v.downcast::<Action>() {
                    Ok(a) => Ok(self.to_core(a.get())),
                    Err(_) => Err(ExternalError::fallback(format!(
                        "act() returned {}, not a swarm_fast.Action",
                        v.get_type().name().map(|n| n.to_string()).unwrap_or_default()
                    ))),
                },
                Err(e) => Err(self.failure(py, e)),
            }
        })
    }

    fn accept(
        &mut self,
        slot: usize,
        proposal: &ProposalView,
        obs: ExternalObservation,
    ) -> ExternalResult<bool> {
        let view = self.observation(obs);
        let shared = self.shared().clone();
        Python::with_gil(|py| {
            let prop = Proposal {
                proposal_id: proposal.id,
                initiator_id: shared.ids[proposal.initiator as usize].clone_ref(py),
                interaction_type: proposal.kind.as_str(),
            };
            let r = self.objects[slot]
                .bind(py)
                .call_method1(intern!(py, "accept_interaction"), (prop, view))
                .and_then(|v| v.is_truthy());
            r.map_err(|e| self.failure(py, e))
        })
    }

    fn act_batch(
        &mut self,
        turns: Vec<(usize, ExternalObservation)>,
        out: &mut Vec<ExternalResult<CoreAction>>,
    ) {
        if self.concurrency <= 1 || turns.len() <= 1 {
            out.extend(turns.into_iter().map(|(slot, obs)| self.act(slot, obs)));
            return;
        }
        let views: Vec<(usize, Observation)> =
            turns.into_iter().map(|(slot, obs)| (slot, self.observation(obs))).collect();
        Python::with_gil(|py| {
            let mut calls = Vec::with_capacity(views.len());
            for (slot, view) in views {
                let obj = self.objects[slot].clone_ref(py);
                match Py::new(py, view).and_then(|v| pyo3::types::PyTuple::new(py, [v])) {
                    Ok(args) => calls.push((obj, "act", args)),
                    Err(e) => return out.push(Err(self.failure(py, e))),
                }
            }
            for r in self.call_all(py, calls) {
                out.push(match r {
                    Ok(v) => self.as_action(py, v),
                    Err(e) => Err(self.failure(py, e)),
                });
            }
        });
    }

    fn accept_batch(
        &mut self,
        asks: Vec<(usize, ProposalView, ExternalObservation)>,
        out: &mut Vec<ExternalResult<bool>>,
    ) {
        if self.concurrency <= 1 || asks.len() <= 1 {
            out.extend(asks.into_iter().map(|(slot, p, obs)| self.accept(slot, &p, obs)));
            return;
        }
        let shared = self.shared().clone();
        let views: Vec<(usize, ProposalView, Observation)> =
            asks.into_iter().map(|(slot, p, obs)| (slot, p, self.observation(obs))).collect();
        Python::with_gil(|py| {
            let mut calls = Vec::with_capacity(views.len());
            for (slot, p, view) in views {
                let obj = self.objects[slot].clone_ref(py);
                let prop = Proposal {
                    proposal_id: p.id,
                    initiator_id: shared.ids[p.initiator as usize].clone_ref(py),
                    interaction_type: p.kind.as_str(),
                };
                let args = Py::new(py, prop).and_then(|prop| {
                    let view = Py::new(py, view)?;
                    pyo3::types::PyTuple::new(py, [prop.into_any(), view.into_any()])
                });
                match args {
                    Ok(args) => calls.push((obj, "accept_interaction", args)),
                    Err(e) => return out.push(Err(self.failure(py, e))),
                }
            }
            for r in self.call_all(py, calls) {
                out.push(
                    r.and_then(|v| v.into_bound(py).is_truthy()).map_err(|e| self.failure(py, e)),
                );
            }
        });
    }

    fn update_from_outcome(&mut self, slot: usize, o: &Outcome) -> ExternalResult<()> {
        if !self.has_update[slot] {
            return Ok(());
        }
        let shared = self.shared().clone();
        Python::with_gil(|py| {
            let it = Interaction {
                agent_id: shared.ids[self.slots[slot] as usize].clone_ref(py),
                epoch: o.epoch,
                step: o.step,
                initiator: shared.ids[o.initiator as usize].clone_ref(py),
                counterparty: shared.ids[o.counterparty as usize].clone_ref(py),
                interaction_type: o.kind.as_str(),
                accepted: o.accepted,
                v_hat: o.v_hat,
                p: o.p,
            };
            self.objects[slot]
                .bind(py)
                .call_method1(intern!(py, "update_from_outcome"), (it, o.payoff))
                .map(|_| ())
                .map_err(|e| self.failure(py, e))
        })
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Observation>()?;
    m.add_class::<Action>()?;
    m.add_class::<Proposal>()?;
    m.add_class::<Interaction>()?;
    Ok(())
}
