import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { Address, Hash, Hex } from "viem";
import { ServiceStateError } from "./errors.js";

export const SERVICE_STATE_FORMAT = "ingotforge-coordinator-state/1";

/** A Forge's status: seen → evaluating (repeated per attempt) → submitted or failed. */
export type ForgeStatusUpdate =
  | { status: "seen" }
  | { status: "evaluating"; attempts: number; lastError?: string; publicSeed?: Hex }
  | { status: "submitted"; ingotId: string; txHash: Hash | null; attributionLogRoot?: Hex; note?: string }
  | { status: "failed"; reason: string };

/** What the coordinator knows about one Forge. */
export type ForgeRecord = {
  forge: Address;
  /** Block of its ForgeCreated event. */
  createdBlock: string;
  updatedAt: string;
} & ForgeStatusUpdate;

export interface ServiceState {
  format: typeof SERVICE_STATE_FORMAT;
  chainId: number;
  factory: Address;
  /** Highest block whose ForgeCreated events were read (already buried by the confirmations). */
  lastProcessedBlock: string;
  forges: Record<string, ForgeRecord>;
}

/**
 * The state file, or a fresh state when there is none. A file for another chain or factory is
 * refused rather than silently mixed: the data dir belongs to one deployment.
 */
export async function loadServiceState(file: string, expect: { chainId: number; factory: Address; startBlock?: bigint }): Promise<ServiceState> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === "ENOENT") {
      return { format: SERVICE_STATE_FORMAT, chainId: expect.chainId, factory: expect.factory, lastProcessedBlock: String((expect.startBlock ?? 0n) - 1n), forges: {} };
    }
    throw new ServiceStateError(file, "cannot be read", { cause });
  }
  let state: ServiceState;
  try {
    state = JSON.parse(text) as ServiceState;
  } catch (cause) {
    throw new ServiceStateError(file, "is not valid JSON", { cause });
  }
  if (state?.format !== SERVICE_STATE_FORMAT || typeof state.forges !== "object" || !/^-?\d+$/.test(String(state.lastProcessedBlock))) {
    throw new ServiceStateError(file, `is not in format ${SERVICE_STATE_FORMAT}`);
  }
  if (state.chainId !== expect.chainId || state.factory.toLowerCase() !== expect.factory.toLowerCase()) {
    throw new ServiceStateError(file, `belongs to factory ${state.factory} on chain ${state.chainId}, not ${expect.factory} on chain ${expect.chainId}`);
  }
  return state;
}

/** Write atomically (temp file + rename): a crash leaves the old state or the new one, never half. */
export async function saveServiceState(file: string, state: ServiceState): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(state, null, 2));
  await rename(tmp, file);
}
