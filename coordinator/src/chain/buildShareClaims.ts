import { concat, encodeAbiParameters, getAddress, keccak256, type Address, type Hex } from "viem";
import { ChainError } from "./errors.js";

/** One holder entry of a claim-by-proof Ingot, with what `Forge.claimShares` needs. */
export type ShareClaim = { index: bigint; account: Address; amount: bigint; proof: Hex[] };

export type BuildShareClaimsParameters = {
  /** Holder entries in the Forge's order (`Forge.previewAllocation`): entry i is leaf i. */
  holders: readonly Address[];
  amounts: readonly bigint[];
};

export type BuildShareClaimsReturnType = { root: Hex; claims: ShareClaim[] };

const LEAF_PARAMETERS = [{ type: "uint256" }, { type: "address" }, { type: "uint256" }] as const;

/** OpenZeppelin's standard leaf: keccak256(bytes.concat(keccak256(abi.encode(index, account, amount)))). */
export function shareLeaf(index: bigint, account: Address, amount: bigint): Hex {
  return keccak256(keccak256(encodeAbiParameters(LEAF_PARAMETERS, [index, account, amount])));
}

/** Commutative pair hash (`Hashes.commutativeKeccak256`): the smaller word first. */
function hashPair(a: Hex, b: Hex): Hex {
  return BigInt(a) < BigInt(b) ? keccak256(concat([a, b])) : keccak256(concat([b, a]));
}

/**
 * The Forge's claim tree (contracts/libraries/ShareTree.sol) and every leaf's proof. Levels are
 * built bottom-up: nodes 2k and 2k+1 are joined, an odd last node is carried up unchanged, so a
 * proof is the siblings met on the way up, skipping the levels where the node was carried.
 * The root must equal the Forge's `sharesRoot`; callers compare before sending claims.
 */
export function buildShareClaims(p: BuildShareClaimsParameters): BuildShareClaimsReturnType {
  const n = p.holders.length;
  if (n !== p.amounts.length) {
    throw new ChainError(`Share claims need one amount per holder: got ${n} holders and ${p.amounts.length} amounts. Pass previewAllocation's two arrays unchanged.`);
  }
  if (n === 0) throw new ChainError("Share claims need at least one holder entry; previewAllocation returned none.");

  const levels: Hex[][] = [p.holders.map((account, i) => shareLeaf(BigInt(i), getAddress(account), p.amounts[i]))];
  while (levels[levels.length - 1].length > 1) {
    const below = levels[levels.length - 1];
    const above: Hex[] = [];
    for (let i = 0; i + 1 < below.length; i += 2) above.push(hashPair(below[i], below[i + 1]));
    if (below.length % 2 === 1) above.push(below[below.length - 1]);
    levels.push(above);
  }

  const claims = p.holders.map((account, i): ShareClaim => {
    const proof: Hex[] = [];
    let position = i;
    for (const level of levels.slice(0, -1)) {
      const sibling = position % 2 === 0 ? position + 1 : position - 1;
      if (sibling < level.length) proof.push(level[sibling]);
      position = Math.floor(position / 2);
    }
    return { index: BigInt(i), account: getAddress(account), amount: p.amounts[i], proof };
  });
  return { root: levels[levels.length - 1][0], claims };
}
