/**
 * Size limits of a contribution file. They bound what one contributor can make the evaluator
 * decode, hash, tokenize and train on; a Forge's holdout and every contribution obey the same
 * limits. Bytes are counted in UTF-8 as stored in the file.
 */

/** Largest accepted file: 16 MiB. A larger file is refused whole, before any line is read. */
export const MAX_FILE_BYTES = 16 * 1024 * 1024;

/** Most lines read from one file; lines after this are refused with one error. */
export const MAX_LINES = 50_000;

/** Longest line (JSON text, without its line ending): 64 KiB. */
export const MAX_LINE_BYTES = 64 * 1024;

/** Longest `id`, in characters (the id alphabet is ASCII). */
export const MAX_ID_LENGTH = 128;

/** Longest `prompt` after JSON decoding, in UTF-8 bytes. */
export const MAX_PROMPT_BYTES = 16 * 1024;

/** Longest `response` after JSON decoding, in UTF-8 bytes. */
export const MAX_RESPONSE_BYTES = 16 * 1024;

/** Ids are used in cache keys, logs and file names, so they stay in a small safe alphabet. */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;

/** The keys of a line. Any other key is refused (see README: a typo must not pass silently). */
export const DATASET_KEYS = ["id", "prompt", "response"] as const;
