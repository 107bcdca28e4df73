import type { ServiceEvent } from "../../coordinator/src/service/createCoordinatorService.js";

const short = (hex: string) => `${hex.slice(0, 8)}…${hex.slice(-4)}`;

/** The readable line `npm run app` prints for a coordinator service event, or undefined for one it skips (a Forge seen, a Forge found LIVE already). */
export function summarizeCoordinatorEvent(e: ServiceEvent): string | undefined {
  switch (e.kind) {
    case "eval-started":
      return `coordinator: Forge ${short(e.forge)}'s window closed; evaluating in the SIMULATED enclave (attempt ${e.attempt})`;
    case "coalition":
      return `coordinator: Forge ${short(e.forge)}: ${e.done} of ${e.total} coalitions scored`;
    case "submitted":
      // txHash null: the Forge was LIVE already when the service looked (the seeded LIVE Ingot); nothing new to say.
      return e.txHash === null ? undefined : `coordinator: Forge ${short(e.forge)} is LIVE → Ingot #${e.ingotId}`;
    case "failed":
      return `coordinator: Forge ${short(e.forge)} failed: ${e.reason}`;
    case "eval-error":
      return `coordinator: Forge ${short(e.forge)}: eval attempt ${e.attempt} failed (${e.error}); it retries`;
    default:
      return undefined;
  }
}
