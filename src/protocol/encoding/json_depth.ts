/**
 * Whether JSON text (RFC 8259) nests arrays and objects at most `max` deep, read without parsing.
 * `JSON.parse` itself copes with any depth, but everything that walks the result afterwards
 * (`JSON.stringify`, `structuredClone`, IndexedDB, recursive checks) overflows the stack on a
 * value a few thousand levels deep: a hostile file would crash them with a RangeError. Checking
 * the text first caps the depth before anything is decoded. Malformed text is left to
 * `JSON.parse` to refuse.
 */
export function jsonDepthWithin(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // `\`: the next character is escaped
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return false;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return true;
}
