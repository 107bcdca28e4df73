import { shortAddress } from "./shortAddress.js";

/**
 * How the wallet bar names the connector beside the connected address: its name, less a trailing
 * "(0x1234…abcd)" that repeats that address (the local test accounts carry it so the connect menu
 * can tell them apart), so the bar fits one line at 390 px.
 */
export function connectorLabel(name: string | undefined, address: string): string {
  if (!name) return "a wallet";
  const repeated = ` (${shortAddress(address)})`;
  return name.toLowerCase().endsWith(repeated.toLowerCase()) ? name.slice(0, -repeated.length) : name;
}
