//! The adaptive governance controller (governance spec §10.8, G9): the
//! reference ships it and its orchestrator registers it as an epoch-end
//! callback when `adaptive_controller_enabled` is set, but the YAML loader
//! never reads the nine `adaptive_controller_*` keys, so no scenario file
//! can switch it on. The corrected model's `adaptive_controller` switch
//! runs it, driven by those keys; the rule below is the reference's, so a
//! run matches swarm-safety 1.9.0 built with the same keys from Python.
//!
//! Each epoch end it records (toxicity, quality gap, welfare) in a sliding
//! window; every `contemplation_interval` epochs, once it holds
//! `min_evidence_epochs`, it compares the toxicity of the window's two
//! halves and, if the shift is clear and the window's linear trend is
//! significant (|t| > 2), proposes a bounded step for each adaptable
//! threshold. A proposal is applied at once; after
//! `crystallization_min_epochs` it is kept if no metric degraded beyond the
//! tolerance and one improved (and, when human review is required, an
//! approval came: never, in a run), reverted if one degraded; a
//! degradation beyond three times the tolerance reverts it early.
//!
//! Reference quirks kept: `confidence_threshold` is read but never
//! compared; the two collusion thresholds it adapts never reach the
//! detector (which copied them at construction, spec §5.5, or never
//! compares them, G6), so their proposals only take slots.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use crate::config::GovernanceConfig;
use crate::error::{SwarmError, SwarmResult};
use crate::metrics::EpochRow;
use crate::observables::{py_max, py_min};

/// The nine `adaptive_controller_*` keys (reference defaults), plus the
/// starting value of `collusion_correlation_threshold`, which only the
/// controller reads.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AdaptiveControllerConfig {
    pub evidence_window: u64,
    pub contemplation_interval: u64,
    pub min_evidence_epochs: u64,
    pub confidence_threshold: f64,
    pub crystallization_min_epochs: u64,
    pub require_human_review: bool,
    pub max_degradation_tolerance: f64,
    pub max_active_proposals: u64,
    pub collusion_correlation_threshold: f64,
}

impl Default for AdaptiveControllerConfig {
    fn default() -> Self {
        AdaptiveControllerConfig {
            evidence_window: 20,
            contemplation_interval: 5,
            min_evidence_epochs: 10,
            confidence_threshold: 0.8,
            crystallization_min_epochs: 5,
            require_human_review: true,
            max_degradation_tolerance: 0.05,
            max_active_proposals: 3,
            collusion_correlation_threshold: 0.7,
        }
    }
}

impl AdaptiveControllerConfig {
    pub fn validate(&self) -> SwarmResult<()> {
        let at_least_one = [
            ("evidence_window", self.evidence_window),
            ("contemplation_interval", self.contemplation_interval),
            ("min_evidence_epochs", self.min_evidence_epochs),
            ("crystallization_min_epochs", self.crystallization_min_epochs),
            ("max_active_proposals", self.max_active_proposals),
        ];
        for (key, v) in at_least_one {
            if v < 1 {
                return Err(bad(key, "must be at least 1"));
            }
        }
        if !(0.0..=1.0).contains(&self.confidence_threshold) {
            return Err(bad("confidence_threshold", "must lie in [0, 1]"));
        }
        if !(self.max_degradation_tolerance >= 0.0 && self.max_degradation_tolerance.is_finite()) {
            return Err(bad("max_degradation_tolerance", "must be a finite number >= 0"));
        }
        if !self.collusion_correlation_threshold.is_finite() {
            return Err(SwarmError::Config(
                "governance.collusion_correlation_threshold: must be a finite number".into(),
            ));
        }
        Ok(())
    }
}

fn bad(key: &str, what: &str) -> SwarmError {
    SwarmError::Config(format!("governance.adaptive_controller_{key}: {what}"))
}

/// The thresholds the controller may move (the reference's defaults, in
/// its order: the order of proposals).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    FreezeThresholdToxicity,
    AuditProbability,
    AuditThresholdP,
    CollusionFrequencyThreshold,
    CollusionCorrelationThreshold,
}

struct Adaptable {
    field: Field,
    min: f64,
    max: f64,
    max_delta: f64,
}

const ADAPTABLE: [Adaptable; 5] = [
    Adaptable { field: Field::FreezeThresholdToxicity, min: 0.2, max: 0.9, max_delta: 0.1 },
    Adaptable { field: Field::AuditProbability, min: 0.01, max: 0.5, max_delta: 0.05 },
    Adaptable { field: Field::AuditThresholdP, min: 0.1, max: 0.9, max_delta: 0.1 },
    Adaptable { field: Field::CollusionFrequencyThreshold, min: 1.0, max: 5.0, max_delta: 0.5 },
    Adaptable { field: Field::CollusionCorrelationThreshold, min: 0.3, max: 0.9, max_delta: 0.1 },
];

/// (toxicity rate, quality gap, total welfare): the evidence and the
/// alignment metrics.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Snapshot {
    toxicity: f64,
    quality_gap: f64,
    welfare: f64,
}

#[derive(Debug, Clone)]
struct Proposal {
    field: Field,
    current: f64,
    proposed: f64,
    epochs_active: u64,
    before: Snapshot,
    /// Empty until the first tick: the reference's `.get(metric, 0.0)`.
    during: Snapshot,
}

/// One applied or reverted change, for inspection and tests.
#[derive(Debug, Clone, PartialEq)]
pub struct ControllerEvent {
    pub epoch: u32,
    pub parameter: &'static str,
    pub value: f64,
    pub kind: &'static str,
}

#[derive(Debug, Clone)]
pub struct AdaptiveController {
    cfg: AdaptiveControllerConfig,
    evidence: VecDeque<Snapshot>,
    active: Vec<Proposal>,
    /// The value each field had before its first still-open change.
    original: Vec<(Field, f64)>,
    last_contemplation: i64,
    /// The reference's config attributes the detector never reads again.
    collusion_frequency: f64,
    collusion_correlation: f64,
    pub events: Vec<ControllerEvent>,
}

impl AdaptiveController {
    pub fn new(cfg: AdaptiveControllerConfig, gov: &GovernanceConfig) -> Self {
        AdaptiveController {
            evidence: VecDeque::with_capacity(cfg.evidence_window.min(1 << 12) as usize),
            active: Vec::new(),
            original: Vec::new(),
            last_contemplation: -999,
            collusion_frequency: gov.collusion_frequency_threshold,
            collusion_correlation: cfg.collusion_correlation_threshold,
            events: Vec::new(),
            cfg,
        }
    }

    fn get(&self, gov: &GovernanceConfig, f: Field) -> f64 {
        match f {
            Field::FreezeThresholdToxicity => gov.freeze_threshold_toxicity,
            Field::AuditProbability => gov.audit_probability,
            Field::AuditThresholdP => gov.audit_threshold_p,
            Field::CollusionFrequencyThreshold => self.collusion_frequency,
            Field::CollusionCorrelationThreshold => self.collusion_correlation,
        }
    }

    fn set(&mut self, gov: &mut GovernanceConfig, f: Field, v: f64) {
        match f {
            Field::FreezeThresholdToxicity => gov.freeze_threshold_toxicity = v,
            Field::AuditProbability => gov.audit_probability = v,
            Field::AuditThresholdP => gov.audit_threshold_p = v,
            Field::CollusionFrequencyThreshold => self.collusion_frequency = v,
            Field::CollusionCorrelationThreshold => self.collusion_correlation = v,
        }
    }

    fn enabled(gov: &GovernanceConfig, f: Field) -> bool {
        match f {
            Field::FreezeThresholdToxicity => gov.circuit_breaker_enabled,
            Field::AuditProbability | Field::AuditThresholdP => gov.audit_enabled,
            Field::CollusionFrequencyThreshold | Field::CollusionCorrelationThreshold => {
                gov.collusion_detection_enabled
            }
        }
    }

    /// The epoch-end callback: after the epoch's metrics, so its changes
    /// act from the next epoch on.
    pub fn on_epoch_end(&mut self, row: &EpochRow, gov: &mut GovernanceConfig) {
        if self.evidence.len() as u64 >= self.cfg.evidence_window {
            self.evidence.pop_front();
        }
        self.evidence.push_back(Snapshot {
            toxicity: row.toxicity_rate,
            quality_gap: row.quality_gap,
            welfare: row.total_welfare,
        });
        self.tick();
        self.check_crystallization(gov, row.epoch);
        let epoch = i64::from(row.epoch);
        if epoch - self.last_contemplation >= self.cfg.contemplation_interval as i64
            && (self.active.len() as u64) < self.cfg.max_active_proposals
        {
            self.contemplate(gov, row.epoch);
            self.last_contemplation = epoch;
        }
    }

    /// The mean of the last three epochs, as each active proposal's
    /// "during" metrics.
    fn tick(&mut self) {
        if self.active.is_empty() {
            return;
        }
        let now = recent_means(&self.evidence);
        for p in &mut self.active {
            p.epochs_active += 1;
            p.during = now;
        }
    }

    fn check_crystallization(&mut self, gov: &mut GovernanceConfig, epoch: u32) {
        let tol = self.cfg.max_degradation_tolerance;
        let min_epochs = self.cfg.crystallization_min_epochs;
        let mut i = 0;
        while i < self.active.len() {
            let p = self.active[i].clone();
            let remove = if emergency_revert(&p, tol) {
                self.revert(gov, &p, epoch);
                true
            } else {
                let time = p.epochs_active >= min_epochs;
                let aligned = aligned(&p, tol);
                // No human ever approves inside a run.
                let human = !self.cfg.require_human_review;
                if time && aligned && human {
                    self.crystallize(&p, epoch);
                    true
                } else if time && !aligned {
                    self.revert(gov, &p, epoch);
                    true
                } else {
                    false
                }
            };
            if remove {
                self.active.remove(i);
            } else {
                i += 1;
            }
        }
    }

    fn take_original(&mut self, f: Field) -> Option<f64> {
        let at = self.original.iter().position(|&(g, _)| g == f)?;
        Some(self.original.remove(at).1)
    }

    fn revert(&mut self, gov: &mut GovernanceConfig, p: &Proposal, epoch: u32) {
        let back = self.take_original(p.field).unwrap_or(p.current);
        self.set(gov, p.field, back);
        self.log(epoch, p.field, back, "reverted");
    }

    fn crystallize(&mut self, p: &Proposal, epoch: u32) {
        self.take_original(p.field);
        self.log(epoch, p.field, p.proposed, "crystallized");
    }

    fn log(&mut self, epoch: u32, f: Field, value: f64, kind: &'static str) {
        self.events.push(ControllerEvent { epoch, parameter: name(f), value, kind });
    }

    /// The three passes (signal, trend, proposal), then the proposals
    /// applied into the free slots.
    fn contemplate(&mut self, gov: &mut GovernanceConfig, epoch: u32) {
        let n = self.evidence.len();
        if (n as u64) < self.cfg.min_evidence_epochs {
            return;
        }
        let tox: Vec<f64> = self.evidence.iter().map(|e| e.toxicity).collect();
        // Pass 1: the recent half against the older half.
        let mid = n / 2;
        if mid == 0 || mid == n {
            return;
        }
        let recent = exact_mean(&tox[mid..]);
        let older = exact_mean(&tox[..mid]);
        let diff = recent - older;
        let tighten = if recent > 0.5 && diff > 0.01 {
            true
        } else if recent < 0.3 && diff < -0.01 {
            false
        } else {
            return;
        };
        // Pass 2: every adaptable follows toxicity, so one trend serves all.
        if n < 3 {
            return;
        }
        let (slope, t) = linear_trend(&tox);
        if t.abs() <= 2.0 || t.is_nan() {
            return;
        }
        // Pass 3: bounded steps.
        let before = recent_means(&self.evidence);
        let mut proposals = Vec::new();
        for a in &ADAPTABLE {
            if !Self::enabled(gov, a.field) {
                continue;
            }
            let current = self.get(gov, a.field);
            let strength = py_min(slope.abs() * 10.0, 1.0);
            let raw = strength * a.max_delta;
            let delta = if tighten { -raw } else { raw };
            let delta = py_max(-a.max_delta, py_min(a.max_delta, delta));
            let proposed = py_max(a.min, py_min(a.max, current + delta));
            if (proposed - current).abs() < 1e-6 {
                continue;
            }
            proposals.push(Proposal {
                field: a.field,
                current,
                proposed,
                epochs_active: 0,
                before,
                during: Snapshot::default(),
            });
        }
        let slots = (self.cfg.max_active_proposals as usize).saturating_sub(self.active.len());
        for p in proposals.into_iter().take(slots) {
            if self.active.iter().any(|q| q.field == p.field) {
                continue;
            }
            if !self.original.iter().any(|&(g, _)| g == p.field) {
                let v = self.get(gov, p.field);
                self.original.push((p.field, v));
            }
            self.set(gov, p.field, p.proposed);
            self.log(epoch, p.field, p.proposed, "applied");
            self.active.push(p);
        }
    }
}

fn name(f: Field) -> &'static str {
    match f {
        Field::FreezeThresholdToxicity => "freeze_threshold_toxicity",
        Field::AuditProbability => "audit_probability",
        Field::AuditThresholdP => "audit_threshold_p",
        Field::CollusionFrequencyThreshold => "collusion_frequency_threshold",
        Field::CollusionCorrelationThreshold => "collusion_correlation_threshold",
    }
}

fn recent_means(evidence: &VecDeque<Snapshot>) -> Snapshot {
    let k = evidence.len().min(3);
    let last: Vec<&Snapshot> = evidence.iter().skip(evidence.len() - k).collect();
    let col = |f: fn(&Snapshot) -> f64| exact_mean(&last.iter().map(|s| f(s)).collect::<Vec<_>>());
    Snapshot {
        toxicity: col(|s| s.toxicity),
        quality_gap: col(|s| s.quality_gap),
        welfare: col(|s| s.welfare),
    }
}

/// A degradation beyond three times the tolerance, after two epochs
/// active: toxicity or quality gap up (when they were positive), welfare
/// down (when it was positive).
fn emergency_revert(p: &Proposal, tol: f64) -> bool {
    if p.epochs_active < 2 {
        return false;
    }
    for (before, during) in
        [(p.before.toxicity, p.during.toxicity), (p.before.quality_gap, p.during.quality_gap)]
    {
        if before > 0.0 && (during - before) / py_max(before.abs(), 1e-6) > tol * 3.0 {
            return true;
        }
    }
    let (wb, wd) = (p.before.welfare, p.during.welfare);
    wb > 0.0 && (wb - wd) / py_max(wb.abs(), 1e-6) > tol * 3.0
}

/// The alignment gate: no metric degraded beyond the tolerance and at
/// least one improved (lower toxicity and quality gap, higher welfare).
fn aligned(p: &Proposal, tol: f64) -> bool {
    let mut ok = true;
    let mut improved = false;
    for (before, during) in
        [(p.before.toxicity, p.during.toxicity), (p.before.quality_gap, p.during.quality_gap)]
    {
        ok &= (during - before) / py_max(before.abs(), 1e-6) <= tol;
        improved |= during < before;
    }
    let (wb, wd) = (p.before.welfare, p.during.welfare);
    ok &= (wb - wd) / py_max(wb.abs(), 1e-6) <= tol;
    improved |= wd > wb;
    ok && improved
}

/// OLS slope of `values` against 0..n and its t statistic, evaluated in
/// the reference's order (plain left-to-right sums; the mean exact).
fn linear_trend(values: &[f64]) -> (f64, f64) {
    let n = values.len();
    if n < 3 {
        return (0.0, 0.0);
    }
    let x_mean = (n - 1) as f64 / 2.0;
    let y_mean = exact_mean(values);
    let mut ss_xy = 0.0;
    let mut ss_xx = 0.0;
    for (i, &v) in values.iter().enumerate() {
        ss_xy += (i as f64 - x_mean) * (v - y_mean);
    }
    for i in 0..n {
        let dx = i as f64 - x_mean;
        ss_xx += dx * dx;
    }
    if ss_xx < 1e-12 {
        return (0.0, 0.0);
    }
    let slope = ss_xy / ss_xx;
    let mut ss_res = 0.0;
    for (i, &v) in values.iter().enumerate() {
        let r = v - (y_mean + slope * (i as f64 - x_mean));
        ss_res += r * r;
    }
    let mse = ss_res / (n - 2) as f64;
    let se = if mse > 0.0 && ss_xx > 0.0 { (mse / ss_xx).sqrt() } else { 1e-12 };
    let t = if se < 1e-12 {
        if slope.abs() > 1e-12 {
            f64::INFINITY
        } else {
            0.0
        }
    } else {
        slope / se
    };
    (slope, t)
}

/// Python's `statistics.mean` of floats: the exact sum divided by n,
/// rounded once (it sums as fractions). Exact sums are Shewchuk
/// expansions; the rounding is settled by exact sign tests against the
/// midpoints to the neighbouring floats.
fn exact_mean(xs: &[f64]) -> f64 {
    let n = xs.len() as f64;
    if xs.is_empty() || xs.iter().any(|x| !x.is_finite()) {
        return xs.iter().sum::<f64>() / n;
    }
    let sum = expansion(xs.iter().copied());
    let mut q = sum.iter().sum::<f64>() / n;
    // 2·S − n·q − n·q' has the sign of S/n − (q + q')/2.
    let above_mid = |q: f64, other: f64| {
        let (p1, e1) = two_prod(n, q);
        let (p2, e2) = two_prod(n, other);
        let terms = sum.iter().map(|s| 2.0 * s).chain([-p1, -e1, -p2, -e2]);
        sign(&expansion(terms))
    };
    for _ in 0..8 {
        let up = next_up(q);
        match above_mid(q, up) {
            s if s > 0 => {
                q = up;
                continue;
            }
            0 => return if even(q) { q } else { up },
            _ => {}
        }
        let down = next_down(q);
        match above_mid(q, down) {
            s if s < 0 => {
                q = down;
                continue;
            }
            0 => return if even(q) { q } else { down },
            _ => return q,
        }
    }
    q
}

/// The non-overlapping partials of an exact sum, smallest first (the
/// algorithm of Python's `math.fsum`).
fn expansion(xs: impl Iterator<Item = f64>) -> Vec<f64> {
    let mut partials: Vec<f64> = Vec::new();
    for mut x in xs {
        let mut i = 0;
        for j in 0..partials.len() {
            let mut y = partials[j];
            if x.abs() < y.abs() {
                std::mem::swap(&mut x, &mut y);
            }
            let hi = x + y;
            let lo = y - (hi - x);
            if lo != 0.0 {
                partials[i] = lo;
                i += 1;
            }
            x = hi;
        }
        partials.truncate(i);
        partials.push(x);
    }
    partials
}

/// The sign of an expansion: that of its largest nonzero partial.
fn sign(partials: &[f64]) -> i32 {
    match partials.iter().rev().find(|&&p| p != 0.0) {
        Some(&p) if p > 0.0 => 1,
        Some(_) => -1,
        None => 0,
    }
}

fn two_prod(a: f64, b: f64) -> (f64, f64) {
    let p = a * b;
    (p, a.mul_add(b, -p))
}

fn next_up(x: f64) -> f64 {
    if x == 0.0 {
        return f64::from_bits(1);
    }
    let b = x.to_bits();
    f64::from_bits(if x > 0.0 { b + 1 } else { b - 1 })
}

fn next_down(x: f64) -> f64 {
    -next_up(-x)
}

fn even(x: f64) -> bool {
    x.to_bits() & 1 == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_mean_rounds_once() {
        // 0.1 + 0.2 + 0.3 summed naively is 0.6000000000000001; the exact
        // sum of the three floats divided by 3 rounds to 0.2.
        assert_eq!(exact_mean(&[0.1, 0.2, 0.3]), 0.2);
        // Catastrophic cancellation: the naive sum loses the 1.0.
        assert_eq!(exact_mean(&[1e16, 1.0, -1e16]), 1.0 / 3.0);
        // Small integers: the division of the exact sum, rounded once.
        assert_eq!(exact_mean(&[1.0, 2.0, 4.0]), 7.0 / 3.0);
        assert_eq!(exact_mean(&[5.0]), 5.0);
        // Exact midpoints between two floats round to the even one.
        let e = f64::EPSILON;
        assert_eq!(exact_mean(&[1.0, 1.0 + e]), 1.0); // 1 + ε/2: tie, even is 1
        assert_eq!(exact_mean(&[1.0 + e, 1.0 + 2.0 * e]), 1.0 + 2.0 * e); // tie → even
    }

    #[test]
    fn linear_trend_of_a_line_is_significant() {
        let (slope, t) = linear_trend(&[0.1, 0.2, 0.3, 0.4]);
        assert!((slope - 0.1).abs() < 1e-12);
        assert!(t > 2.0);
        let (slope, t) = linear_trend(&[0.5, 0.5, 0.5]);
        assert_eq!((slope, t), (0.0, 0.0));
    }

    fn row(epoch: u32, toxicity: f64) -> EpochRow {
        EpochRow { epoch, toxicity_rate: toxicity, total_welfare: 10.0, ..Default::default() }
    }

    #[test]
    fn rising_toxicity_tightens_the_enabled_thresholds_only() {
        let mut gov = GovernanceConfig {
            circuit_breaker_enabled: true,
            audit_enabled: true,
            ..GovernanceConfig::default()
        };
        let cfg = AdaptiveControllerConfig { require_human_review: false, ..Default::default() };
        let mut c = AdaptiveController::new(cfg, &gov);
        for e in 0..11 {
            c.on_epoch_end(&row(e, 0.3 + 0.04 * f64::from(e)), &mut gov);
        }
        // Contemplation at epoch 10 (11 epochs of evidence): slope 0.04 →
        // strength 0.4 → steps of −0.04, −0.02, −0.04.
        assert!((gov.freeze_threshold_toxicity - (0.7 - 0.04)).abs() < 1e-12);
        assert!((gov.audit_probability - (0.1 - 0.02)).abs() < 1e-12);
        assert!((gov.audit_threshold_p - (0.5 - 0.04)).abs() < 1e-12);
        assert_eq!(c.events.len(), 3);
        assert!(c.events.iter().all(|e| e.kind == "applied" && e.epoch == 10));
        // Toxicity keeps rising: by epoch 13 the 3-epoch mean is 0.78
        // against 0.66 before, +18% > 3 x 5%, so all three revert early;
        // the contemplation due at epoch 15 applies them again.
        for e in 11..16 {
            c.on_epoch_end(&row(e, 0.3 + 0.04 * f64::from(e)), &mut gov);
        }
        let kinds: Vec<(&str, u32)> = c.events.iter().map(|e| (e.kind, e.epoch)).collect();
        assert_eq!(kinds[3..6], [("reverted", 13); 3]);
        assert_eq!(kinds[6..], [("applied", 15); 3]);
        assert_eq!(c.events[3].value, 0.7);
        assert_eq!(c.events[4].value, 0.1);
        assert_eq!(c.events[5].value, 0.5);
    }

    #[test]
    fn flat_toxicity_changes_nothing() {
        let mut gov = GovernanceConfig { audit_enabled: true, ..GovernanceConfig::default() };
        let before = gov.clone();
        let mut c = AdaptiveController::new(AdaptiveControllerConfig::default(), &gov);
        for e in 0..40 {
            c.on_epoch_end(&row(e, 0.35), &mut gov);
        }
        assert!(c.events.is_empty());
        assert_eq!(gov.audit_probability, before.audit_probability);
    }

    #[test]
    fn validation_names_the_key() {
        let bad_cfg = AdaptiveControllerConfig { evidence_window: 0, ..Default::default() };
        let err = bad_cfg.validate().unwrap_err().to_string();
        assert!(err.contains("governance.adaptive_controller_evidence_window"), "{err}");
    }
}
