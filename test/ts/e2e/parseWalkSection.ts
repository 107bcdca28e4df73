/** One fenced bash block of the README's by-hand walk, with the terminal its paragraph names. */
export interface WalkBlock {
  /** N of the "Terminal N…" paragraph just before the block. */
  terminal: number;
  /**
   * The block's commands in order: comment and blank lines dropped, `\` continuations kept with
   * their following lines, a heredoc (`<<EOF` … `EOF`) kept whole with its body.
   */
  commands: string[];
}

export const WALK_HEADING = "## Run each role by hand against a hardhat node";

/**
 * The blocks of the README's "Run each role by hand" section that belong to a terminal, in order.
 * A block whose paragraph does not start with "Terminal N" (an alternative path, e.g. Failed) is
 * left out: the walk runs only the terminals' blocks.
 */
export function parseWalkSection(readme: string): WalkBlock[] {
  const start = readme.indexOf(WALK_HEADING);
  if (start < 0) throw new Error(`README.md has no "${WALK_HEADING}" section`);
  const rest = readme.slice(start + WALK_HEADING.length);
  const end = rest.search(/^## /m);
  const lines = (end < 0 ? rest : rest.slice(0, end)).split("\n");
  const blocks: WalkBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() !== "```bash") continue;
    // The paragraph just above the fence: skip blank lines, then back to the line after the previous blank one.
    let last = i - 1;
    while (last >= 0 && lines[last].trim() === "") last--;
    let first = last;
    while (first > 0 && lines[first - 1].trim() !== "" && !lines[first - 1].startsWith("```")) first--;
    const terminal = first >= 0 ? /^Terminal (\d+)\b/.exec(lines[first]) : null;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i].trim() !== "```"; i++) body.push(lines[i]);
    if (terminal) blocks.push({ terminal: Number(terminal[1]), commands: splitCommands(body) });
  }
  return blocks;
}

function splitCommands(body: string[]): string[] {
  const commands: string[] = [];
  for (let i = 0; i < body.length; i++) {
    const line = body[i];
    if (line.trim() === "" || line.trim().startsWith("#")) continue;
    const parts = [line];
    while (parts.at(-1)!.trimEnd().endsWith("\\") && i + 1 < body.length) parts.push(body[++i]);
    const heredoc = /<<-?\s*['"]?(\w+)['"]?\s*$/.exec(parts.at(-1)!.trimEnd());
    if (heredoc) {
      while (i + 1 < body.length) {
        parts.push(body[++i]);
        if (body[i].trim() === heredoc[1]) break;
      }
    }
    commands.push(parts.join("\n"));
  }
  return commands;
}
