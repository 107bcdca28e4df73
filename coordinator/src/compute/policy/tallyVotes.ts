import type { ExecutionResult } from "./resultsAgree.js";

/** One execution of a job: by a worker, or (computeId null) by the coordinator itself. */
export interface Vote extends ExecutionResult {
  computeId: number | null;
}

export interface TallyVotesParameters {
  /** In the order they were cast: the primary first, then each duplicate. */
  votes: readonly Vote[];
  agree: (a: Vote, b: Vote) => boolean;
}

export type TallyVotesReturnType =
  | { decided: false }
  | {
      decided: true;
      /** Index of the accepted execution. */
      winner: number;
      /** Indices of the executions that agree with the winner (the winner included): they did verified work. */
      agreeing: number[];
      /** Indices of the executions that disagree with the winner: their workers are wrong. */
      outvoted: number[];
    };

/**
 * Settles a verified job from its executions. The coordinator's own run, once it has voted, is
 * authoritative (it is the reference: it votes only when no distinct worker is left): the earliest
 * worker that agrees with it wins, else the coordinator's run itself. Otherwise the earliest
 * execution that another one agrees with wins — with the primary and one duplicate that is
 * "both agree", and after a mismatch the third execution decides which of the two had it right
 * (majority of three). Undecided while no two executions agree; the caller then adds one more.
 */
export function tallyVotes(params: TallyVotesParameters): TallyVotesReturnType {
  const { votes, agree } = params;
  const decide = (winner: number, reference: number): TallyVotesReturnType => {
    const agreeing: number[] = [];
    const outvoted: number[] = [];
    votes.forEach((v, i) => (i === winner || agree(v, votes[reference]) ? agreeing : outvoted).push(i));
    return { decided: true, winner, agreeing, outvoted };
  };
  const coordinator = votes.findIndex((v) => v.computeId === null);
  if (coordinator >= 0) {
    const worker = votes.findIndex((v, i) => i !== coordinator && v.computeId !== null && agree(v, votes[coordinator]));
    return decide(worker >= 0 ? worker : coordinator, coordinator);
  }
  for (let i = 0; i < votes.length; i++) {
    for (let j = i + 1; j < votes.length; j++) if (agree(votes[i], votes[j])) return decide(i, i);
  }
  return { decided: false };
}
