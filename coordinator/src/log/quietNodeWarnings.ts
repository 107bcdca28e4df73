/**
 * Node's warnings that are library noise for a person reading a command's output: the SQLite
 * ExperimentalWarning (the gateway's ledger uses `node:sqlite`, experimental but fit for purpose
 * on the Node the README names). Other warnings still print.
 */
export function isQuietNodeWarning(warning: string | Error, type?: string): boolean {
  const name = typeof warning === "string" ? type : (warning.name ?? type);
  const message = typeof warning === "string" ? warning : warning.message;
  return name === "ExperimentalWarning" && /\bSQLite\b/.test(message);
}

/**
 * Drop the warnings isQuietNodeWarning names from process.emitWarning (they stay visible with
 * `--verbose` or NODE_OPTIONS=--trace-warnings). Must run before `node:sqlite` is first loaded:
 * entry points import `./installQuietNodeWarnings.js` as their first import.
 */
export function quietNodeWarnings(proc: NodeJS.Process = process): void {
  const emit = proc.emitWarning.bind(proc) as (...args: unknown[]) => void;
  proc.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const first = rest[0];
    const type = typeof first === "string" ? first : (first as { type?: string } | undefined)?.type;
    if (isQuietNodeWarning(warning, type)) return;
    emit(warning, ...rest);
  }) as NodeJS.Process["emitWarning"];
}
