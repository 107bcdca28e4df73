/** One contribution example: a prompt (instruction + Rust `unsafe` block) and its analysis. */
export interface DatasetExample {
  /** Unique within its file; 1-128 characters from `A-Z a-z 0-9 . _ : -`, starting alphanumeric. */
  id: string;
  /** The user turn of the chat template. */
  prompt: string;
  /** The assistant turn: the only text that is scored and trained on. */
  response: string;
}

/** Why a line was refused. Stable strings, so callers can branch on them. */
export type DatasetErrorCode =
  | "file-too-large"
  | "empty-file"
  | "too-many-lines"
  | "line-too-long"
  | "invalid-utf8"
  | "blank-line"
  | "bad-json"
  | "not-an-object"
  | "unknown-key"
  | "missing-field"
  | "not-a-string"
  | "bad-id"
  | "empty-field"
  | "field-too-long"
  | "unpaired-surrogate"
  | "special-token-text"
  | "duplicate-id"
  | "duplicate-content";

/** One refused line. `line` is 1-based; 0 means the whole file (`file-too-large`, `empty-file`). */
export interface DatasetLineError {
  line: number;
  code: DatasetErrorCode;
  /** A sentence a contributor understands, naming the field or limit at fault. */
  reason: string;
}
