/**
 * What a payer signs (personal_sign) to be issued a playground API key by the local stack's key
 * desk: the key spends the payer's GatewayDeposits credit, so only the payer may ask for one.
 */
export function playgroundKeyMessage(payer: string, issuedAt: number): string {
  return `IngotForge playground: issue an API key spending the gateway deposit of ${payer.toLowerCase()}. Issued at ${issuedAt}.`;
}
