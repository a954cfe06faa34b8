//! Thin PyO3 bindings for swarm-core: they parse the run configuration,
//! run it with the GIL released, and hand the columns back as numpy arrays
//! without copying. No simulation logic lives here.

mod errors;
mod policy;
mod testing;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use numpy::IntoPyArray;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use swarm_core::{RunConfig, RunResult, SwarmError, SwarmResult};

/// mimalloc for small blocks, the system allocator for large ones (see
/// swarm_core::alloc).
#[global_allocator]
static GLOBAL: swarm_core::alloc::SwarmAlloc = swarm_core::alloc::SwarmAlloc;

fn parse(py: Python<'_>, json: &str) -> PyResult<RunConfig> {
    RunConfig::from_json(json).map_err(|e| errors::to_py(py, e))
}

/// Runs this small (agents x steps) take a few milliseconds at most: they
/// run on the calling thread, where a worker thread's start-up would cost
/// more than the run, and Ctrl-C is seen as soon as they return.
const INLINE_AGENT_STEPS: u64 = 20_000;
/// With a network, at most this many agents (a complete graph of 1,000
/// agents builds in tens of milliseconds).
const INLINE_NETWORK_AGENTS: u64 = 1_000;

/// Run `work` here with the GIL released; a panic becomes an error.
fn run_inline<T: Send>(
    py: Python<'_>,
    work: impl FnOnce() -> SwarmResult<T> + Send,
) -> PyResult<T> {
    let r = py.allow_threads(|| catch_unwind(AssertUnwindSafe(work)));
    py.check_signals()?;
    r.unwrap_or_else(|p| Err(SwarmError::Internal(panic_message(p))))
        .map_err(|e| errors::to_py(py, e))
}

fn panic_message(p: Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<String>()
        .cloned()
        .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "panic".into())
}

/// Run `work` on a worker thread with the GIL released; meanwhile poll for
/// Ctrl-C and report progress every 50 ms. The caller wakes as soon as the
/// work ends. A panic becomes an error, never a crash.
fn supervise<T: Send>(
    py: Python<'_>,
    total: usize,
    progress: Option<&Bound<'_, PyAny>>,
    work: impl FnOnce(&AtomicBool, &AtomicUsize) -> SwarmResult<T> + Send,
) -> PyResult<T> {
    let cancel = AtomicBool::new(false);
    let done = AtomicUsize::new(0);
    let (tx, rx) = mpsc::channel::<SwarmResult<T>>();
    std::thread::scope(|s| {
        s.spawn(|| {
            let r = catch_unwind(AssertUnwindSafe(|| work(&cancel, &done)));
            let r = r.unwrap_or_else(|p| Err(SwarmError::Internal(panic_message(p))));
            let _ = tx.send(r);
        });
        let mut reported = usize::MAX;
        let mut interrupt: Option<PyErr> = None;
        let mut rx = Some(rx);
        let result = loop {
            // The receiver moves into the GIL-free wait and back out again.
            let (got, back) = py.allow_threads(|| {
                let r = rx.take().expect("receiver present");
                (r.recv_timeout(Duration::from_millis(50)), r)
            });
            rx = Some(back);
            match got {
                Ok(r) => break r,
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    break Err(SwarmError::Internal("worker died".into()))
                }
            }
            if interrupt.is_none() {
                if let Err(e) = py.check_signals() {
                    cancel.store(true, Ordering::Relaxed);
                    interrupt = Some(e);
                }
            }
            if let Some(cb) = progress {
                let d = done.load(Ordering::Relaxed);
                if d != reported {
                    reported = d;
                    if let Err(e) = cb.call1((d, total)) {
                        cancel.store(true, Ordering::Relaxed);
                        interrupt.get_or_insert(e);
                    }
                }
            }
        };
        if let Some(e) = interrupt {
            return Err(e);
        }
        if let Some(cb) = progress {
            cb.call1((done.load(Ordering::Relaxed), total))?;
        }
        result.map_err(|e| errors::to_py(py, e))
    })
}

/// Convert one result to a dict of numpy columns (moved, not copied). Keys
/// are interned strings, made once per process rather than per call.
fn to_dict<'py>(py: Python<'py>, r: RunResult) -> PyResult<Bound<'py, PyDict>> {
    let out = PyDict::new(py);
    out.set_item(intern!(py, "scenario_id"), r.scenario_id)?;
    out.set_item(intern!(py, "seed"), r.seed)?;
    let t = r.totals;
    let totals = PyDict::new(py);
    totals.set_item(intern!(py, "accepted"), t.accepted)?;
    totals.set_item(intern!(py, "rejected"), t.rejected)?;
    totals.set_item(intern!(py, "p_accepted_sum"), t.p_accepted_sum)?;
    totals.set_item(intern!(py, "p_rejected_sum"), t.p_rejected_sum)?;
    totals.set_item(intern!(py, "p_sum"), t.p_sum)?;
    totals.set_item(intern!(py, "payoff_a_sum"), t.payoff_a_sum)?;
    totals.set_item(intern!(py, "payoff_b_sum"), t.payoff_b_sum)?;
    totals.set_item(intern!(py, "payoff_a_accepted_sum"), t.payoff_a_accepted_sum)?;
    totals.set_item(intern!(py, "payoff_b_accepted_sum"), t.payoff_b_accepted_sum)?;
    totals.set_item(intern!(py, "quality_gap"), t.quality_gap())?;
    out.set_item(intern!(py, "totals"), totals)?;

    let e = PyDict::new(py);
    let rows = r.epochs;
    macro_rules! col {
        ($d:ident, $name:literal, $v:expr) => {
            $d.set_item(intern!(py, $name), $v.into_pyarray(py))?
        };
    }
    col!(e, "epoch", rows.iter().map(|x| x.epoch as i64).collect::<Vec<_>>());
    col!(
        e,
        "total_interactions",
        rows.iter().map(|x| x.total_interactions as i64).collect::<Vec<_>>()
    );
    col!(
        e,
        "accepted_interactions",
        rows.iter().map(|x| x.accepted_interactions as i64).collect::<Vec<_>>()
    );
    col!(e, "total_posts", rows.iter().map(|x| x.total_posts as i64).collect::<Vec<_>>());
    col!(e, "total_votes", rows.iter().map(|x| x.total_votes as i64).collect::<Vec<_>>());
    col!(e, "toxicity_rate", rows.iter().map(|x| x.toxicity_rate).collect::<Vec<_>>());
    col!(e, "quality_gap", rows.iter().map(|x| x.quality_gap).collect::<Vec<_>>());
    col!(e, "avg_payoff", rows.iter().map(|x| x.avg_payoff).collect::<Vec<_>>());
    col!(e, "total_welfare", rows.iter().map(|x| x.total_welfare).collect::<Vec<_>>());
    col!(e, "net_social_welfare", rows.iter().map(|x| x.net_social_welfare).collect::<Vec<_>>());
    out.set_item(intern!(py, "epochs"), e)?;

    let a = PyDict::new(py);
    let ag = r.agents;
    a.set_item(intern!(py, "agent_id"), PyList::new(py, ag.ids)?)?;
    a.set_item(intern!(py, "agent_type"), PyList::new(py, ag.types)?)?;
    col!(a, "reputation", ag.reputation);
    col!(a, "resources", ag.resources);
    col!(a, "total_payoff", ag.total_payoff);
    col!(
        a,
        "interactions_initiated",
        ag.interactions_initiated.into_iter().map(|x| x as i64).collect::<Vec<_>>()
    );
    col!(
        a,
        "interactions_received",
        ag.interactions_received.into_iter().map(|x| x as i64).collect::<Vec<_>>()
    );
    col!(a, "frozen", ag.frozen);
    out.set_item(intern!(py, "agents"), a)?;

    match r.trace {
        Some(t) => {
            let d = PyDict::new(py);
            col!(d, "epoch", t.epoch);
            col!(d, "step", t.step);
            col!(d, "initiator", t.initiator);
            col!(d, "counterparty", t.counterparty);
            col!(d, "interaction_type", t.interaction_type);
            col!(d, "accepted", t.accepted);
            col!(d, "v_hat", t.v_hat);
            col!(d, "p", t.p);
            col!(d, "c_a", t.c_a);
            col!(d, "c_b", t.c_b);
            col!(d, "payoff_initiator", t.payoff_initiator);
            col!(d, "payoff_counterparty", t.payoff_counterparty);
            out.set_item(intern!(py, "interactions"), d)?;
        }
        None => out.set_item(intern!(py, "interactions"), py.None())?,
    }
    out.set_item(intern!(py, "parties"), PyList::new(py, r.parties)?)?;
    match r.spawn_metrics {
        Some(snaps) => {
            let l = PyList::empty(py);
            for s in snaps {
                let d = PyDict::new(py);
                d.set_item(intern!(py, "total_spawned"), s.total_spawned)?;
                d.set_item(intern!(py, "max_depth"), s.max_depth)?;
                d.set_item(intern!(py, "depth_distribution"), s.depth_distribution)?;
                d.set_item(intern!(py, "tree_sizes"), s.tree_sizes)?;
                l.append(d)?;
            }
            out.set_item(intern!(py, "spawn_metrics"), l)?;
        }
        None => out.set_item(intern!(py, "spawn_metrics"), py.None())?,
    }
    match r.agent_epochs {
        Some(s) => {
            let d = PyDict::new(py);
            col!(d, "reputation", s.reputation);
            col!(d, "resources", s.resources);
            col!(d, "frozen", s.frozen);
            out.set_item(intern!(py, "agent_epochs"), d)?;
        }
        None => out.set_item(intern!(py, "agent_epochs"), py.None())?,
    }
    Ok(out)
}

/// Run one scenario given as the normalised JSON configuration.
#[pyfunction]
#[pyo3(signature = (config_json, progress=None))]
fn run<'py>(
    py: Python<'py>,
    config_json: &str,
    progress: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    let cfg = parse(py, config_json)?;
    run_parsed(py, cfg, progress)
}

/// A scenario's configuration, parsed and checked once: repeated runs of
/// one scenario (other seeds, epochs, steps) skip the JSON both ways.
#[pyclass(frozen, module = "swarm_fast._core")]
struct Config(RunConfig);

#[pymethods]
impl Config {
    #[new]
    fn new(py: Python<'_>, config_json: &str) -> PyResult<Self> {
        parse(py, config_json).map(Config)
    }
}

impl Config {
    /// A copy with one run's keys set. `Config::new` validated the rest;
    /// what `validate` asks of these (a seed is given) their types already
    /// guarantee, so no re-check.
    fn for_run(&self, seed: i64, n_epochs: u32, steps: u32, record: bool) -> RunConfig {
        let mut cfg = self.0.clone();
        cfg.seed = Some(seed);
        cfg.n_epochs = n_epochs;
        cfg.steps_per_epoch = steps;
        cfg.record_interactions = record;
        cfg
    }
}

/// Run a parsed configuration with the per-run keys given.
#[pyfunction]
#[pyo3(signature = (
    config, seed, n_epochs, steps_per_epoch, record_interactions, progress=None,
    max_trace_rows=None, record_agent_epochs=false
))]
#[allow(clippy::too_many_arguments)] // the Python signature: one argument per per-run key
fn run_config<'py>(
    py: Python<'py>,
    config: &Config,
    seed: i64,
    n_epochs: u32,
    steps_per_epoch: u32,
    record_interactions: bool,
    progress: Option<&Bound<'py, PyAny>>,
    max_trace_rows: Option<u64>,
    record_agent_epochs: bool,
) -> PyResult<Bound<'py, PyDict>> {
    let mut cfg = config.for_run(seed, n_epochs, steps_per_epoch, record_interactions);
    cfg.max_trace_rows = max_trace_rows;
    cfg.record_agent_epochs = record_agent_epochs;
    run_parsed(py, cfg, progress)
}

fn run_parsed<'py>(
    py: Python<'py>,
    cfg: RunConfig,
    progress: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    // Saturating: huge counts must not wrap round into "small".
    let agents = cfg.agents.iter().fold(0u64, |n, a| n.saturating_add(a.count));
    let work = (u64::from(cfg.n_epochs) * u64::from(cfg.steps_per_epoch)).saturating_mul(agents);
    // A network's set-up can be quadratic in agents: only small ones inline.
    let small =
        work <= INLINE_AGENT_STEPS && (cfg.network.is_none() || agents <= INLINE_NETWORK_AGENTS);
    let result = if small && progress.is_none() {
        run_inline(py, || swarm_core::run(cfg, &AtomicBool::new(false)))?
    } else {
        // Progress counts epochs: (epochs done, epochs).
        let epochs = cfg.n_epochs as usize;
        supervise(py, epochs, progress, |cancel, done| swarm_core::run_counting(cfg, cancel, done))?
    };
    to_dict(py, result)
}

/// Run a parsed configuration whose external agents (`llm`, `python`) are
/// decided by `policies`, one Python object per external agent in
/// registration order. The run holds the GIL only inside each callback.
#[pyfunction]
#[pyo3(signature = (config, seed, n_epochs, steps_per_epoch, record_interactions, policies, simulation_id, batched=false, concurrency=1))]
#[allow(clippy::too_many_arguments)]
fn run_policies<'py>(
    py: Python<'py>,
    config: &Config,
    seed: i64,
    n_epochs: u32,
    steps_per_epoch: u32,
    record_interactions: bool,
    policies: Vec<Py<PyAny>>,
    simulation_id: String,
    batched: bool,
    concurrency: usize,
) -> PyResult<Bound<'py, PyDict>> {
    let cfg = config.for_run(seed, n_epochs, steps_per_epoch, record_interactions);
    let bridge = policy::PyPolicies::new(py, policies, simulation_id, concurrency)?;
    let stopped = bridge.stopped.clone();
    let r = py.allow_threads(|| {
        catch_unwind(AssertUnwindSafe(|| {
            swarm_core::engine::Engine::with_external(
                cfg,
                swarm_core::engine::Tuning::default(),
                Box::new(bridge),
            )
            .and_then(|e| e.batched(batched).run(&AtomicBool::new(false)))
        }))
    });
    // A callback's KeyboardInterrupt / SystemExit is re-raised as it was.
    if let Some(e) = stopped.lock().ok().and_then(|mut s| s.take()) {
        return Err(e);
    }
    let result = r
        .unwrap_or_else(|p| Err(SwarmError::Internal(panic_message(p))))
        .map_err(|e| errors::to_py(py, e))?;
    let report = result.external.clone();
    let out = to_dict(py, result)?;
    if let Some(rep) = report {
        let d = PyDict::new(py);
        d.set_item("agent_index", rep.agents.iter().map(|&a| a as i64).collect::<Vec<_>>())?;
        d.set_item("calls_act", rep.calls.iter().map(|c| c[0]).collect::<Vec<_>>())?;
        d.set_item("calls_accept", rep.calls.iter().map(|c| c[1]).collect::<Vec<_>>())?;
        d.set_item("calls_update", rep.calls.iter().map(|c| c[2]).collect::<Vec<_>>())?;
        d.set_item("errors_act", rep.errors.iter().map(|e| e.act).collect::<Vec<_>>())?;
        d.set_item("errors_accept", rep.errors.iter().map(|e| e.accept).collect::<Vec<_>>())?;
        d.set_item("errors_update", rep.errors.iter().map(|e| e.update).collect::<Vec<_>>())?;
        d.set_item(
            "first_error_act",
            rep.errors.iter().map(|e| e.first_act.clone()).collect::<Vec<_>>(),
        )?;
        d.set_item(
            "first_error_accept",
            rep.errors.iter().map(|e| e.first_accept.clone()).collect::<Vec<_>>(),
        )?;
        d.set_item(
            "first_error_update",
            rep.errors.iter().map(|e| e.first_update.clone()).collect::<Vec<_>>(),
        )?;
        out.set_item(intern!(py, "external"), d)?;
    }
    Ok(out)
}

/// Run many configurations in parallel on `threads` workers (0 = all
/// cores). Results are in input order and identical for any thread count.
#[pyfunction]
#[pyo3(signature = (config_jsons, threads=0, progress=None))]
fn run_batch<'py>(
    py: Python<'py>,
    config_jsons: Vec<String>,
    threads: usize,
    progress: Option<&Bound<'py, PyAny>>,
) -> PyResult<Vec<Bound<'py, PyDict>>> {
    let configs = config_jsons.iter().map(|j| parse(py, j)).collect::<PyResult<Vec<_>>>()?;
    let total = configs.len();
    let results = supervise(py, total, progress, |cancel, done| {
        swarm_core::sweep::run_batch(configs, threads, cancel, done)
    })?;
    results.into_iter().map(|r| to_dict(py, r)).collect()
}

/// Test hook: a panic on the worker thread, or in a run on the calling
/// thread, must surface as a Python exception, never abort the interpreter.
#[pyfunction]
#[pyo3(signature = (inline=false))]
fn _panic_in_worker(py: Python<'_>, inline: bool) -> PyResult<()> {
    if inline {
        return run_inline(py, || -> SwarmResult<()> { panic!("deliberate test panic") });
    }
    supervise(py, 1, None, |_, _| -> SwarmResult<()> { panic!("deliberate test panic") })
}

/// The interaction-type codes of the `interaction_type` column.
#[pyfunction]
fn interaction_type_names() -> Vec<&'static str> {
    use swarm_core::types::InteractionType::*;
    [Reply, Vote, Trade, Collaboration].iter().map(|t| t.as_str()).collect()
}

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(run, m)?)?;
    m.add_function(wrap_pyfunction!(run_config, m)?)?;
    m.add_function(wrap_pyfunction!(run_policies, m)?)?;
    policy::register(m)?;
    m.add_class::<Config>()?;
    m.add_function(wrap_pyfunction!(run_batch, m)?)?;
    m.add_function(wrap_pyfunction!(interaction_type_names, m)?)?;
    m.add_function(wrap_pyfunction!(_panic_in_worker, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    testing::register(m)?;
    Ok(())
}
