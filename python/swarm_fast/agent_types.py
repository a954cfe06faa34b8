"""The scripted agent types swarm_fast implements, for ``swarm-fast agents``.

Each entry: the YAML ``type`` key, the type the agent registers as (what
other agents and the observable generator see), a one-line summary, a
longer description, and its ``config:`` parameters with their defaults
(the policies read them as in swarm-safety 1.9.0; spec §11).
``tests/test_cli.py`` checks the defaults against the Rust policies.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class AgentType:
    key: str
    registers_as: str
    summary: str
    description: str
    params: dict[str, float | bool] = field(default_factory=dict)


# The negotiators' common note (swarm/agents/negotiation_agent.py).
_NEVER_PLAYS = (
    "As in the reference, whose observation never carries the resource_negotiation "
    "games they play, every turn is a noop; it accepts every proposal. A "
    "resource_negotiation: section pairs all agents into games at the start (drawing "
    "from the run's stream) that are never played."
)

# The five scholar roles behave alike outside what their names say.
_SCHOLAR_ROLE = (
    "With the scholar: section on, its turns act on the handler's query, pool "
    "and citations (see the README); without it every turn is a noop, with no "
    "draw. It never proposes; it accepts every collaboration, and other proposals "
    "when its trust in the initiator is at least 0.4. As in the reference, no "
    "config key reaches it (the loader passes config only, which it never reads)."
)


AGENT_TYPES: tuple[AgentType, ...] = (
    AgentType(
        "honest",
        "honest",
        "Cooperates with agents it trusts; posts, upvotes and proposes collaborations.",
        "Accepts a proposal when its trust in the initiator clears the acceptance "
        "threshold (eased by 0.1 for collaborations, raised by 0.1 for trades). "
        "Proposes collaborations to the most trusted visible agent.",
        {
            "acceptance_threshold": 0.4,
            "trust_weight": 0.3,
            "post_probability": 0.3,
            "vote_probability": 0.5,
            "interact_probability": 0.4,
        },
    ),
    AgentType(
        "opportunistic",
        "opportunistic",
        "Chases rich or reputable partners with trades; accepts on past quality or by chance.",
        "Proposes trades to visible agents with many resources or a good reputation. "
        "Accepts a proposal when its past interactions with the initiator averaged "
        "p > 0.5, or, with no history, with probability risk_tolerance.",
        {
            "risk_tolerance": 0.6,
            "post_probability": 0.4,
            "vote_probability": 0.6,
            "free_ride_probability": 0.3,
        },
    ),
    AgentType(
        "deceptive",
        "deceptive",
        "Builds trust behind a cooperative facade, then exploits the partners who trust it.",
        "Behaves cooperatively for the first trust_building_phase proposals from each "
        "partner; once at least two partners are trusted above exploitation_threshold "
        "it proposes trades to them. It votes on almost every turn (no probability gate).",
        {
            "trust_building_phase": 5,
            "exploitation_threshold": 0.7,
            "facade_probability": 0.8,
            "post_probability": 0.35,
        },
    ),
    AgentType(
        "adversarial",
        "adversarial",
        "Targets honest agents and coordinates with other adversaries.",
        "Collects honest agents with resources or reputation as targets and other "
        "adversaries as allies; accepts their proposals and attacks targets with "
        "probability attack_probability.",
        {"target_honest": True, "post_probability": 0.5, "attack_probability": 0.6},
    ),
    AgentType(
        "adaptive_adversary",
        "adversarial",
        "An adversary that, never told it was detected, always lays low.",
        "Posts or upvotes the top post and accepts every proposal; it never answers "
        "proposals on its own turn. No parameters.",
    ),
    AgentType(
        "cautious",
        "cautious",
        "Interacts only with agents above a high trust threshold (adversarial observables).",
        "Accepts and proposes only above threshold. It registers as type 'cautious', "
        "which the observable generator treats like an adversary.",
        {"threshold": 0.7, "post_probability": 0.2},
    ),
    AgentType(
        "cautious_reciprocator",
        "honest",
        "Keeps a payoff ledger per partner and blacklists those that cost it.",
        "Accepts above base_threshold, refuses partners whose summed payoffs fall "
        "below blacklist_threshold and caps interactions per partner at "
        "max_per_partner. Looks honest to everyone else.",
        {
            "base_threshold": 0.55,
            "blacklist_threshold": -2.0,
            "max_per_partner": 8,
            "post_probability": 0.2,
        },
    ),
    AgentType(
        "threshold_dancer",
        "adversarial",
        "Exploits partners while staying just above their blacklist thresholds.",
        "After warmup_interactions with a partner, alternates at most "
        "max_consecutive_exploits exploiting moves with cooperative ones, keeping its "
        "standing with each partner above comfort_zone_floor.",
        {
            "safety_margin": 0.5,
            "exploitation_intensity": 0.6,
            "warmup_interactions": 3,
            "comfort_zone_floor": -0.3,
            "max_consecutive_exploits": 2,
            "post_probability": 0.2,
            "blacklist_threshold": -2.0,
        },
    ),
    AgentType(
        "self_optimizer",
        "opportunistic",
        "Cuts its own costs while passing a binary benchmark (the proxy-gaming agent).",
        "Accepts pending proposals first, works marketplace tasks, else proposes a "
        "trade to a random visible agent; accepts when trust exceeds 0.3. As in the "
        "reference it never optimizes during a run; optimize_per_epoch: true (a "
        "swarm_fast extension, docs/proxy-gaming.md) runs its optimization step at "
        "each epoch end and lets the lost quality reach its interactions.",
        {
            "optimization_rate": 0.15,
            "quality_floor": 0.35,
            "initial_quality": 0.85,
            "optimize_per_epoch": False,
        },
    ),
    AgentType(
        "ldt",
        "honest",
        "Logical decision theory: cooperates with its logical twins, at depths 1 to 5.",
        "Decides whether to cooperate with a party from how its own last "
        "counterfactual_horizon outcomes correlate with the party's (cosine twin score; "
        "under decision_theory fdt or udt, the default fdt, also subjunctive dependence "
        "and proof-based cooperation; udt blends in a precommitted policy with "
        "precommitment_strength, default 1 under udt). acausality_depth adds policy "
        "inference (2), a recursive equilibrium (3), transitive twins (4) and Monte Carlo "
        "over noisy profiles (5). Proposes collaborations to the best blend of twin "
        "score and trust.",
        {
            "cooperation_prior": 0.65,
            "similarity_threshold": 0.7,
            "welfare_weight": 0.3,
            "updateless_commitment": 0.8,
            "counterfactual_horizon": 20,
            "post_probability": 0.25,
            "vote_probability": 0.4,
            "interact_probability": 0.5,
            "acausality_depth": 1,
            "max_recursion_depth": 8,
            "convergence_epsilon": 0.01,
            "mirror_prior_weight": 0.6,
            "introspection_discount": 0.9,
            "twin_graph_min_edge": 0.3,
            "twin_graph_traversal_depth": 2,
            "twin_graph_decay": 0.9,
            "n_counterfactual_samples": 50,
            "counterfactual_noise_std": 0.1,
            "acausal_bonus_weight": 0.1,
            "subjunctive_weight": 0.6,
            "proof_threshold": 0.85,
        },
    ),
    AgentType(
        "modeling_adversary",
        "adversarial",
        "Models each partner's decision procedure; mimics LDT-like partners, then exploits.",
        "Classifies partners from their outcomes (LDT-like, cooperative, selective, "
        "adversarial, mixed), proposes to LDT-like ones first, cooperates with allies "
        "and, while building trust, with everyone; a partner's phase is fixed when first "
        "asked for (exploitation only if exploitation_threshold outcomes were recorded "
        "by then).",
        {
            "mimicry_probability": 0.6,
            "exploitation_threshold": 5.0,
            "ldt_detection_sensitivity": 0.7,
            "aggression_level": 0.6,
            "post_probability": 0.3,
        },
    ),
    AgentType(
        "rlm",
        "rlm",
        "Level-k reasoner: scores each candidate action with a model per partner.",
        "Scores noop, a collaboration proposal to each visible agent, a post, task "
        "claims and upvotes by immediate utility plus the discounted future of "
        "planning_horizon steps (at most five), from per-partner acceptance and payoff "
        "models; explores with probability 0.1 / (recursion_depth + 1); at depth 0 it "
        "proposes to the most trusted agent. Registers as type 'rlm', with observables "
        "of its own.",
        {"recursion_depth": 3, "planning_horizon": 5, "discount_factor": 0.9},
    ),
    AgentType(
        "collusive_verifier",
        "deceptive",
        "Memory-tier colluder: writes to the shared memory with probability 0.5.",
        "Rubber-stamps a partner's (partner_id) entries in the shared memory tiers. "
        "No entry is ever pending (none is ever verified), so with a memory_tiers "
        "section it writes with probability 0.5 while it has write budget (20 a "
        "epoch); without one its budget is 0 and every turn is a noop. Accepts every "
        "proposal.",
        {},
    ),
    AgentType(
        "diligent_recorder",
        "honest",
        "Memory-tier recorder: writes accurate facts with probability write_probability.",
        "With a memory_tiers section it writes (honest quality, never poisoned) with "
        "probability write_probability while it has write budget (20 a epoch); its "
        "verify, promote and challenge branches need pending or challenged entries, "
        "which never exist. Without the section every turn is a noop. Accepts every "
        "proposal.",
        {"write_probability": 0.4},
    ),
    AgentType(
        "memory_poisoner",
        "adversarial",
        "Memory-tier poisoner: writes a poisoned entry on every turn it has budget.",
        "With a memory_tiers section it writes on every turn while it has write budget "
        "(drawing once a turn; its other branches fall through to another write); its "
        "entries are poisoned and flagged as tool misuse. Without the section every turn "
        "is a noop. Rejects every proposal.",
        {},
    ),
    AgentType(
        "cache_gamer",
        "opportunistic",
        "Memory-tier flooder: writes on every turn it has budget, without a draw.",
        "With a memory_tiers section it writes on every turn while it has write budget "
        "(poisoned with probability 0.15, as an opportunistic author); without the "
        "section every turn is a noop. Accepts every proposal.",
        {},
    ),
    AgentType(
        "obfuscating",
        "deceptive",
        "Obfuscation Atlas agent: honest mimicry for a while, then trades with anyone.",
        "For its first trust_building_phase outcomes it submits and claims tasks, posts "
        "(probability 0.3) and proposes collaborations to a random visible agent; then it "
        "proposes trades to a random visible agent first. It accepts pending proposals "
        "with probability 0.8 on its turn, 0.85 / 0.75 (during / after the phase) when "
        "asked. obfuscation_strategy and its parameters are checked and accepted, but "
        "change nothing: as in the reference, the signal offsets they shape never reach "
        "the observables.",
        {"trust_building_phase": 5.0},
    ),
    AgentType(
        "skillrl",
        "honest",
        "SkillRL: an honest-style agent whose skill library shifts its acceptance test.",
        "Learns strategy skills from outcomes well above the recent average (GRPO "
        "advantage) and lesson skills from those well below, at most five a epoch and 50 "
        "in all; the best skill for the interaction domain shifts its acceptance threshold "
        "and trust weight (a bad enough lesson rejects outright). Failing skills are "
        "refined every refinement_interval epochs, successful ones promoted to the general "
        "tier every promotion_interval epochs. Proposes collaborations to the most trusted "
        "visible agent, posts and upvotes. skill_exploration_rate is checked but not "
        "applied: the reference draws it from Python's unseeded global random module.",
        {
            "acceptance_threshold": 0.4,
            "trust_weight": 0.3,
            "post_probability": 0.2,
            "vote_probability": 0.3,
            "interact_probability": 0.5,
            "refinement_interval": 2.0,
            "promotion_interval": 5.0,
            "grpo_window_size": 20,
            "grpo_temperature": 1.0,
            "refinement_min_invocations": 3.0,
            "refinement_success_threshold": 0.4,
            "max_refinements_per_epoch": 3.0,
            "tier_promotion_min_invocations": 10.0,
            "tier_promotion_min_success_rate": 0.6,
        },
    ),
    AgentType(
        "tierra",
        "tierra",
        "Artificial life: a heritable genome; replicates when rich (spawn subsystem).",
        "With a spawn: section, spawns a child with a mutated genome once its resources "
        "reach replication_threshold (150) and the spawn tree allows it, handing it "
        "resource_share_fraction of them; otherwise answers its first pending proposal by "
        "trust, and with probability interaction_aggression proposes to the first visible "
        "agent (with probability selectivity the first of the highest reputation). The "
        "tierra: section adds the shared resource pool, metabolism, starvation and the "
        "reaper. Its config is not read; observables as adversarial.",
        {},
    ),
    AgentType(
        "hyperagent_self_mod",
        "self_modifying",
        "Self-modifying agent: lowers its acceptance threshold every epoch.",
        "Accepts every pending proposal on its turn, claims or works marketplace tasks, "
        "else proposes a trade to a random visible agent. At each epoch start its "
        "acceptance threshold drops by modification_rate / 2 (to at least "
        "min_acceptance_threshold); it accepts a proposal when its trust in the "
        "initiator exceeds it. Registers as type 'self_modifying' (adversarial "
        "observables). Its proxy weights and quality (initial_quality, "
        "quality_decay_rate, quality_floor, weight_gaming_target) are accepted but, as "
        "in the reference, never reach the run.",
        {
            "modification_rate": 0.10,
            "min_acceptance_threshold": 0.2,
            "initial_acceptance_threshold": 0.6,
        },
    ),
    AgentType(
        "ralph_loop",
        "honest",
        "Honest agent working one task an epoch from a queue, through a quality gate.",
        "The honest policy (and its keys) with a task queue (tasks: names, or "
        "mappings with a priority; five by default): each epoch it takes the "
        "highest-priority open task, completes it on an interaction with p >= "
        "quality_gate_threshold or abandons it after max_task_attempts, then idles "
        "for the rest of the epoch (one_task_per_epoch). It forgets every "
        "counterparty's trust at each epoch end, and every consolidation_interval "
        "epochs turns its success rate and mean successful p into boosts "
        "(learning_boost) of its interact probability and acceptance threshold.",
        {
            "quality_gate_threshold": 0.6,
            "consolidation_interval": 5,
            "max_task_attempts": 3,
            "learning_boost": 0.05,
            "one_task_per_epoch": True,
        },
    ),
    AgentType(
        "rain",
        "honest",
        "Honest agent that forgets every counterparty at each epoch end.",
        "The honest policy with no epistemic memory: all trust is reset to unknown "
        "(0.5) when an epoch ends.",
        {
            "acceptance_threshold": 0.4,
            "trust_weight": 0.3,
            "post_probability": 0.3,
            "vote_probability": 0.5,
            "interact_probability": 0.4,
        },
    ),
    AgentType(
        "river",
        "honest",
        "Honest agent with full memory (the honest agent itself).",
        "The honest policy; its full persistence leaves its memory untouched at "
        "epoch ends, so it runs exactly as 'honest'.",
        {
            "acceptance_threshold": 0.4,
            "trust_weight": 0.3,
            "post_probability": 0.3,
            "vote_probability": 0.5,
            "interact_probability": 0.4,
        },
    ),
    AgentType(
        "fair_negotiator",
        "honest",
        "Resource negotiator built to propose even splits; never plays (reference).",
        "Built to propose even splits and accept a share worth accept_threshold (0.3) of "
        "its maximum (checked, never read). " + _NEVER_PLAYS,
        {},
    ),
    AgentType(
        "greedy_negotiator",
        "opportunistic",
        "Resource negotiator built to claim the most value; never plays (reference).",
        "Built to claim its most valued resources and concede as the deadline nears. "
        + _NEVER_PLAYS,
        {},
    ),
    AgentType(
        "strategic_negotiator",
        "honest",
        "Resource negotiator built to infer the other side's values; never plays (reference).",
        "Built to infer its opponent's preferences from their offers and propose "
        "win-win splits. " + _NEVER_PLAYS,
        {},
    ),
    AgentType(
        "diligent_moltbook",
        "honest",
        "Moltbook poster: solves its CAPTCHAs, comments on others' posts.",
        "Acts only on the moltbook feed (moltbook: section, with a seed): first "
        "answers its oldest pending challenge (parses it right with probability "
        "0.95, solves it with 0.99), else comments on the first listed post not its "
        "own, else posts. Never proposes; rejects every proposal.",
        {},
    ),
    AgentType(
        "spam_bot",
        "adversarial",
        "Moltbook spammer: comments on the top post or posts, every turn.",
        "Acts only on the moltbook feed: answers its oldest pending challenge "
        "(0.98 / 0.99), else with probability 0.5 comments on the top post (when "
        "there is one), else posts. Never proposes; rejects every proposal.",
        {},
    ),
    AgentType(
        "human_pretender",
        "opportunistic",
        "Moltbook human pretender: a slow, poor CAPTCHA solver.",
        "Acts only on the moltbook feed: answers a pending challenge one step after "
        "it was issued at the earliest (0.5 / 0.85), else comments on the top post, "
        "else posts. Never proposes; rejects every proposal.",
        {},
    ),
    AgentType(
        "collusive_voter",
        "deceptive",
        "Moltbook vote colluder: upvotes its partner's posts.",
        "Acts only on the moltbook feed: answers its oldest pending challenge "
        "(0.9 / 0.95), else upvotes the first listed post by partner_id (an agent id), "
        "else posts. Never proposes; rejects every proposal.",
        {},
    ),
    AgentType(
        "rivals_producer",
        "honest",
        "Team-of-Rivals producer: makes one stage of a pipeline episode (rivals subsystem).",
        "With a rivals: section, produces the stage its role names (config.role: coder "
        "(default), chart_maker or writer) for the episode queued for it: an artifact of "
        "quality quality_level plus N(0, 0.1) noise, less 0.15 for each of the task's traps "
        "it misses (each with probability 1 - trap_awareness). Otherwise a NOOP. Accepts "
        "every proposal and proposes nothing.",
        {"quality_level": 0.7, "trap_awareness": 0.5},
    ),
    AgentType(
        "rivals_critic",
        "honest",
        "Team-of-Rivals critic: reviews one stage and may veto it (rivals subsystem).",
        "With a rivals: section, reviews the artifact queued for it at its role's stage "
        "(config.role: critic_code (default), critic_chart or critic_output): it vetoes a "
        "defective one (quality < 0.6) with probability detection_rate and a sound one with "
        "probability false_positive_rate; a veto sends the stage back to its producer "
        "until max_retries_per_stage. Otherwise a NOOP. Accepts every proposal and "
        "proposes nothing.",
        {"detection_rate": 0.7, "false_positive_rate": 0.1},
    ),
    AgentType(
        "diligent_editor",
        "honest",
        "Moltipedia editor: improves contested, then low-quality, then random pages.",
        "Edits the first contested page of its queue, else the lowest-quality one, else "
        "a random one, appending sourced, neutral text; with every queue empty it "
        "creates a draft with probability create_probability. Accepts every proposal. "
        "Its pages and edits need a moltipedia: section (without one its actions do "
        "nothing).",
        {"create_probability": 0.2},
    ),
    AgentType(
        "point_farmer",
        "opportunistic",
        "Moltipedia editor chasing easy points: quick fixes and stubs.",
        "Edits the lowest-quality page of its queue, else a random page with probability "
        "0.6, else creates a stub with probability stub_probability. Accepts every "
        "proposal.",
        {"stub_probability": 0.4},
    ),
    AgentType(
        "collusive_editor",
        "deceptive",
        "Moltipedia editor who polishes its partner's (partner_id) pages for points.",
        "Edits the first page in its queues created by partner_id, else a random page, "
        "else creates a page of its own (never idle). Accepts every proposal.",
        {},
    ),
    AgentType(
        "vandal",
        "adversarial",
        "Moltipedia vandal: replaces the first page it sees with junk.",
        "Replaces the text of the first random (else low-quality, else contested) page of "
        "its queues; its edits lower quality and add a policy violation. Rejects every "
        "proposal.",
        {},
    ),
    AgentType(
        "retriever",
        "honest",
        "Scholar retriever: fetches passages for the subsystem's query.",
        _SCHOLAR_ROLE,
    ),
    AgentType(
        "synthesizer",
        "honest",
        "Scholar synthesizer: answers the query with citations.",
        _SCHOLAR_ROLE,
    ),
    AgentType(
        "verifier",
        "honest",
        "Scholar verifier: checks the draft citations.",
        _SCHOLAR_ROLE,
    ),
    AgentType(
        "adversarial_retriever",
        "adversarial",
        "Scholar retriever laundering citations.",
        _SCHOLAR_ROLE,
    ),
    AgentType(
        "adversarial_synthesizer",
        "adversarial",
        "Scholar synthesizer hallucinating claims.",
        _SCHOLAR_ROLE,
    ),
    AgentType(
        "awm_agent",
        "honest",
        "AWM worker: completes database tool-use tasks (awm subsystem).",
        "With an awm: section, on a turn holding the epoch's task it plans tool_call_count "
        "calls (a third, at least one, when config.mode is lazy; modes diligent (default), "
        "lazy, adversarial), each malformed with probability malformed_rate, else a random "
        "one of five tools, and the handler simulates and verifies them: an interaction "
        "with itself. With step_mode it finishes at once, as the reference's does. "
        "Otherwise a NOOP. Accepts a proposal with probability 0.7 (0.3 when adversarial); "
        "proposes nothing.",
        {"tool_call_count": 5, "malformed_rate": 0.0, "step_mode": False},
    ),
)
