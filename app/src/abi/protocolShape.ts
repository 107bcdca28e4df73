import { forgeAbi, forgeFactoryAbi } from "./protocolAbis.generated.js";
import { forgeConfigFields, registerComputeTakesProofs } from "./abiShape.js";

/** The shape of the contracts this page was built against (see abiShape.ts). */
export const COMPUTE_TAKES_PROOFS = registerComputeTakesProofs(forgeAbi);
export const FORGE_CONFIG_HAS_BONDS = forgeConfigFields(forgeFactoryAbi).includes("dataBond");
