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
  /**
   * Hash of the chain's block 0, so a node reset under the same chain id and factory address (a
   * restarted `hardhat node`) is told apart from the chain this state was written on. Absent in
   * files made before it was recorded: adopted on the next load if the file's blocks are on the node.
   */
  genesisHash?: Hash;
  /** Highest block whose ForgeCreated events were read (already buried by the confirmations). */
  lastProcessedBlock: string;
  forges: Record<string, ForgeRecord>;
}

export interface LoadServiceStateExpect {
  chainId: number;
  factory: Address;
  startBlock?: bigint;
  /** The node's block 0 hash: a file written on a chain with another genesis is refused. */
  genesisHash?: Hash;
  /** The node's head: a file that processed blocks past it was written on another chain. */
  head?: bigint;
}

/** What to move away when the data dir's state belongs to a chain the node no longer has. */
const RESET_HINT =
  "The node was reset or is another network with the same chain id: this data dir's Forges belong to the old chain, and reading on from its last block would skip the new chain's first Forges. " +
  "To start over on this chain, move coordinator-state.json and the forges/ folder out of the data dir (or point dataDir at a new directory); the content store and models/ can stay.";

/**
 * The state file, or a fresh state when there is none. A file for another chain or factory is
 * refused rather than silently mixed: the data dir belongs to one deployment. So is a file written
 * on a chain the node does not have (another genesis block, or blocks processed past the node's
 * head): the coordinator refuses rather than resets, since the per-Forge work under `forges/` is
 * keyed by addresses that a fresh chain hands out again.
 */
export async function loadServiceState(file: string, expect: LoadServiceStateExpect): Promise<ServiceState> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === "ENOENT") {
      return {
        format: SERVICE_STATE_FORMAT,
        chainId: expect.chainId,
        factory: expect.factory,
        ...(expect.genesisHash ? { genesisHash: expect.genesisHash } : {}),
        lastProcessedBlock: String((expect.startBlock ?? 0n) - 1n),
        forges: {},
      };
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
  if (state.genesisHash && expect.genesisHash && state.genesisHash.toLowerCase() !== expect.genesisHash.toLowerCase()) {
    throw new ServiceStateError(file, `was written on a chain whose genesis block is ${state.genesisHash}, but the node's genesis block is ${expect.genesisHash}`, { hint: RESET_HINT });
  }
  if (expect.head !== undefined && BigInt(state.lastProcessedBlock) > expect.head) {
    throw new ServiceStateError(file, `has processed up to block ${state.lastProcessedBlock}, but the node's head is block ${expect.head}`, { hint: RESET_HINT });
  }
  if (!state.genesisHash && expect.genesisHash) state.genesisHash = expect.genesisHash;
  return state;
}

/** Write atomically (temp file + rename): a crash leaves the old state or the new one, never half. */
export async function saveServiceState(file: string, state: ServiceState): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(state, null, 2));
  await rename(tmp, file);
}
