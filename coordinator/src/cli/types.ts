import type { Account, Chain, PublicClient, Transport, WalletClient } from "viem";
import type { ParseArgsConfig } from "node:util";
import type { ContentStore } from "../storage/types.js";
import type { ProtocolContext } from "../chain/types.js";

/** Global options, validated once (see parseGlobalOptions). */
export interface GlobalOptions {
  rpcUrl: string;
  /** Exactly one of the two identifies the sending account. */
  account: { kind: "testMnemonic"; index: number } | { kind: "privateKey"; privateKey: `0x${string}`; source: "flag" | "env" };
  /** Local content store directory. */
  storeDir: string;
  /** Ignition's deployments folder (holds chain-<id>/deployed_addresses.json). */
  deploymentsDir: string;
  /** Hardhat's artifacts folder (the ABIs). */
  artifactsDir: string;
  /** Print the command's result as one JSON object instead of text. */
  json: boolean;
}

/** Clients for the connected chain, before any deployment is looked up. */
export interface ChainConnection {
  chainId: number;
  publicClient: PublicClient;
  walletClient: WalletClient<Transport, Chain, Account>;
}

/**
 * What a command receives: its parsed options plus lazily built dependencies, so a command that
 * needs no deployment (chain advance-time) or no store never touches them.
 */
export interface CliEnvironment {
  global: GlobalOptions;
  connect(): Promise<ChainConnection>;
  protocol(): Promise<ProtocolContext & { chainId: number }>;
  store(): Promise<ContentStore>;
  /** Progress and notes for a person (stderr), never the result. */
  note(text: string): void;
}

export type OptionsConfig = NonNullable<ParseArgsConfig["options"]>;

/** The output of a command: `text` for people, `json` for scripts (`--json`). */
export interface CommandResult {
  text: string;
  json: Record<string, unknown>;
}

/**
 * One subcommand (`forge status`). `parse` validates the raw values once into typed options
 * (throwing CliUsageError), `run` does the work with those.
 */
export interface CliCommand<O = unknown> {
  group: string;
  name: string;
  summary: string;
  /** Lines after `usage: ingotforge <group> <name>`, describing the options. */
  usage: string;
  options: OptionsConfig;
  /** Positional arguments after the command words, e.g. ["seconds"]. */
  positionals?: readonly string[];
  parse(values: Record<string, string | boolean | undefined>, positionals: string[]): O;
  run(env: CliEnvironment, options: O): Promise<CommandResult>;
}

/** Build a command with its option type inferred from `parse`. */
export function defineCommand<O>(command: CliCommand<O>): CliCommand<O> {
  return command;
}
