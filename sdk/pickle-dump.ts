/**
 * Plain data as a Python pickle (protocol 4, unframed), which Orchest's Python SDK reads with pickle.load:
 * null/undefined → None, booleans, numbers (an integral one → int, else float), bigint → int, strings,
 * Uint8Array → bytes, arrays → list, Map → dict, Set → set, other objects → dict of their own enumerable
 * properties. As JSON.stringify: toJSON() is used where present (a Date becomes its ISO string) and
 * properties whose value is undefined are left out.
 */
export function pickleDump(value: unknown): Uint8Array {
  const out = new Writer();
  out.byte(PROTO, 4);
  dump(value, out, new Set(), "the output");
  out.byte(STOP);
  return out.bytes();
}

const PROTO = 0x80;
const STOP = 0x2e;
const MARK = 0x28;

function dump(value: unknown, out: Writer, open: Set<object>, path: string): void {
  if (value !== null && typeof value === "object" && typeof (value as { toJSON?: unknown }).toJSON === "function") {
    value = (value as { toJSON(key: string): unknown }).toJSON("");
  }
  if (value === null || value === undefined) out.byte(0x4e); // NONE
  else if (typeof value === "boolean") out.byte(value ? 0x88 : 0x89); // NEWTRUE, NEWFALSE
  else if (typeof value === "bigint") dumpInt(value, out);
  else if (typeof value === "number") {
    if (Number.isSafeInteger(value) && !Object.is(value, -0)) dumpInt(BigInt(value), out);
    else out.byte(0x47).float64(value); // BINFLOAT
  } else if (typeof value === "string") {
    const utf8 = Buffer.from(value, "utf8");
    if (utf8.length < 256) out.byte(0x8c, utf8.length).raw(utf8); // SHORT_BINUNICODE
    else out.byte(0x58).uint32(utf8.length).raw(utf8); // BINUNICODE
  } else if (value instanceof Uint8Array) out.byte(0x42).uint32(value.length).raw(value); // BINBYTES
  else if (typeof value === "object") dumpContainer(value, out, open, path);
  else throw new Error(`${path} is a ${typeof value}, which cannot be pickled: output plain data (objects, arrays, strings, numbers, booleans, null, bytes)`);
}

function dumpContainer(value: object, out: Writer, open: Set<object>, path: string): void {
  if (open.has(value)) throw new Error(`${path} refers back to itself: a cycle cannot be output`);
  open.add(value);
  if (Array.isArray(value)) {
    out.byte(0x5d, MARK); // EMPTY_LIST
    value.forEach((item, i) => dump(item, out, open, `${path}[${i}]`));
    out.byte(0x65); // APPENDS
  } else if (value instanceof Set) {
    out.byte(0x8f, MARK); // EMPTY_SET
    for (const item of value) dump(item, out, open, `${path} (an item of a Set)`);
    out.byte(0x90); // ADDITEMS
  } else {
    const entries = value instanceof Map ? [...value] : Object.entries(value).filter(([, v]) => v !== undefined);
    out.byte(0x7d, MARK); // EMPTY_DICT
    for (const [key, item] of entries) {
      dump(key, out, open, `${path} (a key)`);
      dump(item, out, open, `${path}[${JSON.stringify(String(key))}]`);
    }
    out.byte(0x75); // SETITEMS
  }
  open.delete(value);
}

/** Small ints as BININT (signed 32 bits), others as LONG1/LONG4: little-endian two's complement, fewest bytes. */
function dumpInt(n: bigint, out: Writer): void {
  if (n >= -(2n ** 31n) && n < 2n ** 31n) {
    out.byte(0x4a).int32(Number(n)); // BININT
    return;
  }
  const bytes: number[] = [];
  let rest = n;
  for (;;) {
    bytes.push(Number(rest & 0xffn));
    rest >>= 8n;
    // Done once the remaining bits are all sign and the last byte's top bit says that sign.
    if ((rest === 0n && (bytes.at(-1)! & 0x80) === 0) || (rest === -1n && (bytes.at(-1)! & 0x80) !== 0)) break;
  }
  if (bytes.length < 256) out.byte(0x8a, bytes.length); // LONG1
  else out.byte(0x8b).uint32(bytes.length); // LONG4
  out.raw(Uint8Array.from(bytes));
}

class Writer {
  private readonly chunks: Buffer[] = [];
  byte(...bytes: number[]): this {
    this.chunks.push(Buffer.from(bytes));
    return this;
  }
  raw(bytes: Uint8Array): this {
    this.chunks.push(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    return this;
  }
  uint32(n: number): this {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(n);
    return this.raw(b);
  }
  int32(n: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32LE(n);
    return this.raw(b);
  }
  float64(n: number): this {
    const b = Buffer.alloc(8);
    b.writeDoubleBE(n);
    return this.raw(b);
  }
  bytes(): Uint8Array {
    return Buffer.concat(this.chunks);
  }
}
