import { chainAdvanceTime } from "./commands/chainAdvanceTime.js";
import { forgeContributeCapital } from "./commands/forgeContributeCapital.js";
import { forgeContributeData } from "./commands/forgeContributeData.js";
import { forgeCreateExample } from "./commands/forgeCreateExample.js";
import { forgeList } from "./commands/forgeList.js";
import { forgeRefund } from "./commands/forgeRefund.js";
import { forgeRefundBond } from "./commands/forgeRefundBond.js";
import { forgeForfeitBonds } from "./commands/forgeForfeitBonds.js";
import { forgeReclaimCapital } from "./commands/forgeReclaimCapital.js";
import { forgeRegisterCompute } from "./commands/forgeRegisterCompute.js";
import { forgeReleaseCapital } from "./commands/forgeReleaseCapital.js";
import { forgeStatus } from "./commands/forgeStatus.js";
import { forgeWait } from "./commands/forgeWait.js";
import { gatewayDeposit } from "./commands/gatewayDeposit.js";
import { gatewayWithdraw } from "./commands/gatewayWithdraw.js";
import { ingotClaim } from "./commands/ingotClaim.js";
import { ingotPay } from "./commands/ingotPay.js";
import { ingotShow } from "./commands/ingotShow.js";
import type { CliCommand } from "./types.js";

/** Every command, in the order `--help` lists them (roughly the order of a Forge's life). */
export const COMMANDS: readonly CliCommand<never>[] = [
  forgeCreateExample,
  forgeContributeData,
  forgeRegisterCompute,
  forgeContributeCapital,
  forgeStatus,
  forgeWait,
  forgeList,
  forgeRefund,
  forgeRefundBond,
  forgeReleaseCapital,
  forgeReclaimCapital,
  forgeForfeitBonds,
  ingotPay,
  ingotClaim,
  ingotShow,
  gatewayDeposit,
  gatewayWithdraw,
  chainAdvanceTime,
] as unknown as readonly CliCommand<never>[];
