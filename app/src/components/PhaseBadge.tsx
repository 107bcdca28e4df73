import type { PhaseLabel } from "../model/forgeSteps.js";

export function PhaseBadge({ phase }: { phase: PhaseLabel }) {
  return <span className={`badge badge-${phase.toLowerCase()}`} aria-label={`Phase: ${phase}`}>{phase}</span>;
}
