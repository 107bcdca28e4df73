/** What the local stack's coordinator reports for one Forge (scripts/app: GET /coordinator/status?forge=). */
export interface CoordinatorStatus {
  events: ({ kind: "forge-seen" | "eval-started" | "submitted" | "failed" | "eval-error"; attempt?: number; reason?: string; error?: string; ingotId?: string } | { kind: "coalition"; done: number; total: number })[];
}

/** One line for the latest thing the coordinator said about a Forge. */
export function describeEvalProgress(status: CoordinatorStatus): string {
  const last = status.events.at(-1);
  if (!last) return "Coordinator: has not picked this Forge up yet (it polls every second).";
  switch (last.kind) {
    case "forge-seen":
      return "Coordinator: saw the Forge; waiting for its window to close.";
    case "eval-started":
      return `Coordinator: evaluating in the enclave (attempt ${last.attempt ?? 1}): training and scoring the coalitions…`;
    case "coalition":
      return `Coordinator: coalition ${last.done} of ${last.total} trained and scored…`;
    case "submitted":
      return `Coordinator: result submitted${last.ingotId ? `; Ingot #${last.ingotId} minted` : ""}.`;
    case "eval-error":
      return `Coordinator: an attempt failed (${last.error ?? "no reason"}); it retries.`;
    case "failed":
      return `Coordinator: gave up (${last.reason ?? "no reason"}).`;
  }
}

