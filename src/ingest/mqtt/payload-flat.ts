/**
 * The usual sensor payload, a flat JSON object of numbers (`{"temp_c":21.5,"ts":…}`),
 * read straight from the bytes (issue 14): no string of the payload, no parsed object,
 * no key strings. Anything else — a string or nested value, an escape, a literal, a
 * number JSON does not allow, trailing bytes — answers false, and the caller parses the
 * payload with JSON.parse as before; so every payload gets JSON.parse's answer, only
 * sooner when it is the usual one. Numbers are exact: up to 15 digits and a power of ten
 * up to 22 are converted by one correctly rounded operation (both operands are exact
 * doubles), any other number by `Number` on its text, which is what JSON.parse does.
 */
export interface FlatPlan {
  /** The top-level keys wanted, as UTF-8 bytes: the field paths, then the time's. */
  readonly keys: readonly Buffer[];
  /** The last value read for each key (JSON.parse keeps the last of duplicate keys too). */
  readonly values: Float64Array;
  readonly seen: Uint8Array;
}

/** A plan for these top-level keys, or undefined when one is a path (`a.b`). */
export function flatPlan(paths: readonly string[]): FlatPlan | undefined {
  if (paths.some((p) => p.includes('.'))) return undefined;
  return {
    keys: paths.map((p) => Buffer.from(p, 'utf8')),
    values: new Float64Array(paths.length),
    seen: new Uint8Array(paths.length),
  };
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);
/** The byte at `i` if it lies before `end` (the payload may be a part of a socket read). */
const byteAt = (buf: Buffer, i: number, end: number) => (i < end ? buf[i]! : -1);
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;

function skipSpace(buf: Buffer, at: number, end: number): number {
  let i = at;
  for (let c = byteAt(buf, i, end); c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09; ) {
    c = byteAt(buf, ++i, end);
  }
  return i;
}

/**
 * Fills `plan.values`/`plan.seen` from a flat object of numbers in `buf[start, end)`;
 * false if it is not one.
 */
export function readFlat(buf: Buffer, plan: FlatPlan, start = 0, end = buf.length): boolean {
  plan.seen.fill(0);
  let i = skipSpace(buf, start, end);
  if (byteAt(buf, i, end) !== 0x7b) return false;
  i = skipSpace(buf, i + 1, end);
  if (byteAt(buf, i, end) === 0x7d) return skipSpace(buf, i + 1, end) === end;
  for (;;) {
    if (byteAt(buf, i, end) !== QUOTE) return false;
    const keyStart = i + 1;
    let keyEnd = keyStart;
    for (let c = byteAt(buf, keyEnd, end); c !== QUOTE; c = byteAt(buf, ++keyEnd, end)) {
      // An escape, a raw control character or the end: JSON.parse shall judge.
      if (c < 0x20 || c === BACKSLASH) return false;
    }
    i = skipSpace(buf, keyEnd + 1, end);
    if (byteAt(buf, i, end) !== 0x3a) return false;
    i = readNumber(buf, skipSpace(buf, i + 1, end), end);
    if (i < 0) return false;
    const k = keyIndex(buf, keyStart, keyEnd, plan.keys);
    if (k >= 0) {
      plan.values[k] = readNumber.value;
      plan.seen[k] = 1;
    }
    i = skipSpace(buf, i, end);
    const c = byteAt(buf, i, end);
    if (c === 0x7d) return skipSpace(buf, i + 1, end) === end;
    if (c !== 0x2c) return false;
    i = skipSpace(buf, i + 1, end);
  }
}

function keyIndex(buf: Buffer, start: number, end: number, keys: readonly Buffer[]): number {
  const length = end - start;
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k]!;
    if (key.length !== length) continue;
    let j = 0;
    while (j < length && key[j] === buf[start + j]) j++;
    if (j === length) return k;
  }
  return -1;
}

/**
 * A JSON number (RFC 8259 §6) at `at`: the offset after it, its value in
 * `readNumber.value` (no object per number); -1 if there is none.
 */
function readNumber(buf: Buffer, at: number, end: number): number {
  let i = at;
  const negative = byteAt(buf, i, end) === 0x2d;
  if (negative) i++;
  let mantissa = 0;
  let digits = 0;
  let c = byteAt(buf, i, end);
  // No leading zeros in JSON: after a 0 only a fraction or an exponent may follow.
  if (c === 0x30) c = byteAt(buf, ++i, end);
  else if (!isDigit(c)) return -1;
  else {
    for (; isDigit(c); c = byteAt(buf, ++i, end), digits++) mantissa = mantissa * 10 + c - 0x30;
  }
  let scale = 0;
  if (c === 0x2e) {
    c = byteAt(buf, ++i, end);
    if (!isDigit(c)) return -1;
    for (; isDigit(c); c = byteAt(buf, ++i, end), digits++, scale--) {
      mantissa = mantissa * 10 + c - 0x30;
    }
  }
  if (c === 0x65 || c === 0x45) {
    c = byteAt(buf, ++i, end);
    const minus = c === 0x2d;
    if (minus || c === 0x2b) c = byteAt(buf, ++i, end);
    if (!isDigit(c)) return -1;
    let exponent = 0;
    for (; isDigit(c); c = byteAt(buf, ++i, end))
      exponent = Math.min(exponent * 10 + c - 0x30, 1e6);
    scale += minus ? -exponent : exponent;
  }
  if (digits <= 15 && scale >= -22 && scale <= 22) {
    const value = scale < 0 ? mantissa / POW10[-scale]! : mantissa * POW10[scale]!;
    readNumber.value = negative ? -value : value;
  } else readNumber.value = Number(buf.toString('latin1', at, i));
  return i;
}
readNumber.value = 0;
