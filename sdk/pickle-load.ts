/**
 * Reads a Python pickle of plain data, as Orchest's Python SDK writes it for anything that is not an Arrow
 * table (pickle.dumps, protocol 2 to 5): None → null, bool, int → number (bigint beyond 2^53), float, str,
 * bytes (and protocol 5's bytearray) → Uint8Array, list/tuple → array, set/frozenset → Set, dict → object (Map when a key is
 * not a string). Only data opcodes are read: a pickled class instance or function (which Python would
 * rebuild by importing and calling code) is refused with its name, and no code ever runs.
 */
export function pickleLoad(bytes: Uint8Array, where: string): unknown {
  const r = new Reader(bytes, where);
  const stack: unknown[] = [];
  const marks: number[] = [];
  const memo: unknown[] = [];
  const popMark = (): unknown[] => {
    const at = marks.pop();
    if (at === undefined) throw r.broken("an item list without its mark");
    return stack.splice(at);
  };
  const top = (): unknown => {
    if (stack.length === 0) throw r.broken("an empty stack");
    return stack[stack.length - 1];
  };
  const pop = (): unknown => {
    if (stack.length === 0) throw r.broken("an empty stack");
    return stack.pop();
  };
  for (;;) {
    const op = r.u8();
    switch (op) {
      case 0x80: // PROTO
        r.u8();
        break;
      case 0x95: // FRAME: only a hint of the size to buffer
        r.take(8);
        break;
      case 0x2e: // STOP
        if (stack.length !== 1) throw r.broken(`${stack.length} values left at its end`);
        return plain(stack[0], new Map());
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
      case 0x89: // NEWFALSE
        stack.push(op === 0x88);
        break;
      case 0x4b: // BININT1
        stack.push(r.u8());
        break;
      case 0x4d: // BININT2
        stack.push(r.take(2).readUInt16LE());
        break;
      case 0x4a: // BININT
        stack.push(r.take(4).readInt32LE());
        break;
      case 0x8a: // LONG1
      case 0x8b: // LONG4
        stack.push(long(r.take(op === 0x8a ? r.u8() : r.u32())));
        break;
      case 0x47: // BINFLOAT
        stack.push(r.take(8).readDoubleBE());
        break;
      case 0x8c: // SHORT_BINUNICODE
      case 0x58: // BINUNICODE
      case 0x8d: // BINUNICODE8
        stack.push(r.take(op === 0x8c ? r.u8() : op === 0x58 ? r.u32() : r.u64()).toString("utf8"));
        break;
      case 0x43: // SHORT_BINBYTES
      case 0x42: // BINBYTES
      case 0x8e: // BINBYTES8
      case 0x96: // BYTEARRAY8
        stack.push(new Uint8Array(r.take(op === 0x43 ? r.u8() : op === 0x42 ? r.u32() : r.u64())));
        break;
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push([]);
        break;
      case 0x7d: // EMPTY_DICT
        stack.push(new Map());
        break;
      case 0x8f: // EMPTY_SET
        stack.push(new Set());
        break;
      case 0x28: // MARK
        marks.push(stack.length);
        break;
      case 0x61: // APPEND
      case 0x65: {
        // APPENDS
        const items = op === 0x61 ? [pop()] : popMark();
        const list = top();
        if (!Array.isArray(list)) throw r.broken("items appended to something not a list");
        list.push(...items);
        break;
      }
      case 0x73: // SETITEM
      case 0x75: {
        // SETITEMS
        const items = op === 0x73 ? stack.splice(-2) : popMark();
        const dict = top();
        if (!(dict instanceof Map)) throw r.broken("items set on something not a dict");
        for (let i = 0; i + 1 < items.length; i += 2) dict.set(items[i], items[i + 1]);
        break;
      }
      case 0x90: {
        // ADDITEMS
        const items = popMark();
        const set = top();
        if (!(set instanceof Set)) throw r.broken("items added to something not a set");
        for (const item of items) set.add(item);
        break;
      }
      case 0x91: // FROZENSET
        stack.push(new Set(popMark()));
        break;
      case 0x74: // TUPLE
        stack.push(popMark());
        break;
      case 0x85: // TUPLE1
      case 0x86: // TUPLE2
      case 0x87: // TUPLE3
        stack.push(stack.splice(-(op - 0x84)));
        break;
      case 0x94: // MEMOIZE
        memo.push(top());
        break;
      case 0x71: // BINPUT
      case 0x72: // LONG_BINPUT
        memo[op === 0x71 ? r.u8() : r.u32()] = top();
        break;
      case 0x68: // BINGET
      case 0x6a: {
        // LONG_BINGET
        const at = op === 0x68 ? r.u8() : r.u32();
        if (!(at in memo)) throw r.broken(`a reference to memo entry ${at}, never stored`);
        stack.push(memo[at]);
        break;
      }
      case 0x93: {
        // STACK_GLOBAL: the module and name of a class or function to import
        const [module, name] = stack.splice(-2);
        throw notData(where, `${String(module)}.${String(name)}`);
      }
      case 0x63: // GLOBAL
        throw notData(where, `${r.line()}.${r.line()}`);
      default:
        throw new Error(`${where}: pickle opcode 0x${op.toString(16)} at byte ${r.at - 1} is not one of plain data; output plain data (dict, list, str, int, float, bool, None, bytes) or an Arrow table`);
    }
  }
}

function notData(where: string, what: string): Error {
  return new Error(`${where} holds a pickled ${what}, which only Python can rebuild: output plain data (dict, list, str, int, float, bool, None, bytes) or an Arrow table from that step`);
}

/** Little-endian two's complement, as LONG1/LONG4 store an int. */
function long(bytes: Buffer): number | bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]!);
  if (bytes.length > 0 && bytes[bytes.length - 1]! & 0x80) n -= 1n << BigInt(8 * bytes.length);
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
}

/** Dicts (read as Maps) whose keys are all strings become plain objects; shared and cyclic references stay shared. */
function plain(value: unknown, done: Map<object, unknown>): unknown {
  if (value === null || typeof value !== "object" || value instanceof Uint8Array) return value;
  if (done.has(value)) return done.get(value);
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    done.set(value, out);
    for (const item of value) out.push(plain(item, done));
    return out;
  }
  if (value instanceof Set) {
    const out = new Set<unknown>();
    done.set(value, out);
    for (const item of value) out.add(plain(item, done));
    return out;
  }
  const dict = value as Map<unknown, unknown>;
  if (![...dict.keys()].every((k) => typeof k === "string")) {
    const out = new Map<unknown, unknown>();
    done.set(value, out);
    for (const [k, v] of dict) out.set(plain(k, done), plain(v, done));
    return out;
  }
  const out: Record<string, unknown> = {};
  done.set(value, out);
  // defineProperty: a key such as "__proto__" is data, as JSON.parse keeps it.
  for (const [k, v] of dict) Object.defineProperty(out, k as string, { value: plain(v, done), enumerable: true, writable: true, configurable: true });
  return out;
}

class Reader {
  at = 0;
  private readonly buf: Buffer;
  constructor(
    bytes: Uint8Array,
    private readonly where: string,
  ) {
    this.buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  take(n: number): Buffer {
    if (this.at + n > this.buf.length) throw this.broken("its end before STOP");
    const out = this.buf.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }
  u8(): number {
    return this.take(1)[0]!;
  }
  u32(): number {
    return this.take(4).readUInt32LE();
  }
  u64(): number {
    return Number(this.take(8).readBigUInt64LE());
  }
  line(): string {
    const end = this.buf.indexOf(0x0a, this.at);
    if (end < 0) throw this.broken("its end before STOP");
    const out = this.buf.subarray(this.at, end).toString("utf8");
    this.at = end + 1;
    return out;
  }
  broken(what: string): Error {
    return new Error(`${this.where}: not a readable pickle (${what}, at byte ${this.at}): was it written by Orchest's SDK?`);
  }
}
