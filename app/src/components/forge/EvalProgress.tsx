import { useQuery } from "@tanstack/react-query";
import type { Address } from "viem";
import { useAppConfig } from "../../config/AppConfigContext.js";
import { describeEvalProgress, type CoordinatorStatus } from "../../model/describeEvalProgress.js";

/** The eval's progress while a Forge is CLOSED, from the coordinator's status route when the deployment has one. */
export function EvalProgress({ forge }: { forge: Address }) {
  const { coordinatorStatusUrl } = useAppConfig();
  const status = useQuery({
    queryKey: ["coordinator-status", forge],
    enabled: Boolean(coordinatorStatusUrl),
    refetchInterval: 1000,
    queryFn: async () => (await (await fetch(`${coordinatorStatusUrl}?forge=${forge}`, { cache: "no-store" })).json()) as CoordinatorStatus,
  });
  if (!coordinatorStatusUrl || !status.data) return null;
  return <p role="status" aria-label="Eval progress">{describeEvalProgress(status.data)}</p>;
}
