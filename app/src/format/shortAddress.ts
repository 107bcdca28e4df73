/** `0x1234…abcd` for an address or a 32-byte root; shorter strings come back unchanged. */
export function shortAddress(value: string, head = 6, tail = 4): string {
  if (value.length <= head + tail + 1) return value;
  return `${value.slice(0, head)}…${value.slice(-tail)}`;
}
