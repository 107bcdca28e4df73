/** The Forge's phases in the contracts' enum order (IForge.Phase). */
export const PHASE_LABELS = ["PENDING", "OPEN", "CLOSED", "LIVE", "FAILED"] as const;
export type PhaseLabel = (typeof PHASE_LABELS)[number];

export type StepState = "done" | "current" | "upcoming" | "skipped";

/**
 * "Where this Forge goes next": locked → attribution → use the Ingot → fork, each marked from
 * the real phase (a FAILED Forge never reaches attribution; its capital is refundable).
 */
export function forgeSteps(phase: PhaseLabel): { title: string; detail: string; state: StepState }[] {
  const at = { PENDING: 0, OPEN: 0, CLOSED: 1, LIVE: 3, FAILED: -1 }[phase];
  const state = (i: number): StepState => (phase === "FAILED" ? "skipped" : i < at ? "done" : i === at ? "current" : "upcoming");
  return [
    { title: "Contributions locked", detail: "When the window closes nobody can add, change or read a contribution.", state: state(0) },
    { title: "Attribution", detail: "The enclave opens the holdout, trains, measures each contribution's marginal Δ and signs the score vector.", state: state(1) },
    { title: "Use the Ingot", detail: "Shares mint to contributors; every paid inference call pays the holders.", state: phase === "LIVE" ? "current" : state(2) },
    { title: "Fork", detail: "A new Forge can build on the Ingot; its ancestors keep earning a royalty.", state: phase === "LIVE" ? "upcoming" : state(3) },
  ];
}
