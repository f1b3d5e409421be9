/**
 * Erlang source syntax for a term (`{ok,[1,2]}`, `#{a => <<"x">>}`, `<n@h.80.0>`), for logs,
 * errors, test failures and the console. Pids, refs and ports print with their node name,
 * since a TS node cannot know the peer's node index.
 *
 * Loading this module also makes every term class print that way wherever Node.js prints
 * objects: `console.log`, `util.inspect` and the REPL use `Symbol.for('nodejs.util.inspect.custom')`,
 * template strings and `String()` use `toString()`. (An `Atom`'s `toString()` stays its bare
 * text, so `${atom}` is usable as a string; `console.log` shows it quoted where Erlang would.)
 */
import { Atom } from './atom.js';
import { Alias, Pid, Port, Ref } from './ids.js';
import { TermMap } from './map.js';
import { Event, ProcessID } from './names.js';
import { BitBinary, ErlFloat, Export, Fun, ImproperList, LocalTerm, Tuple, type Term } from './types.js';

/**
 * Print `t` in Erlang syntax, cut at `maxLength` characters (with `…`). Accepts any value:
 * besides terms, a JS `Map` prints as a map, a plain object as a map with atom keys (as the
 * ETF encoder writes it), `undefined`/`null` as `undefined`/`null`, an `Error` as
 * `#Error<Name: message>`, framework messages (DOWN, EXIT, …) as their Erlang tuples.
 */
export function format(t: unknown, maxLength = 4096): string {
  const out: string[] = [];
  let len = 0;
  const put = (s: string): boolean => {
    out.push(s);
    len += s.length;
    return len < maxLength;
  };
  const walk = (t: unknown): boolean => {
    switch (typeof t) {
      case 'number':
        return put(Number.isInteger(t) ? String(t + 0) : floatText(t));
      case 'bigint':
        return put(t.toString());
      case 'boolean':
        return put(String(t));
      case 'string':
        return put(binaryText(new TextEncoder().encode(t)));
      case 'undefined':
        return put('undefined');
      case 'symbol':
        return put(`#Symbol<${t.description ?? ''}>`);
      case 'function':
        return put(`#Fun<js.${t.name || 'anonymous'}>`);
    }
    if (t === null) return put('null');
    if (t instanceof Atom) return put(t.inspect());
    if (Array.isArray(t)) {
      const str = printableList(t as readonly unknown[]);
      return str !== undefined ? put(str) : seq('[', t as readonly unknown[], ']');
    }
    if (t instanceof Tuple) return seq('{', t.elements, '}');
    if (t instanceof ErlFloat) return put(floatText(t.value));
    if (t instanceof Uint8Array) return put(binaryText(t));
    if (t instanceof Pid) return put(`<${t.node.name}.${t.id}.${t.serial}>`);
    // Words print most significant first, as BEAM does.
    if (t instanceof Alias) return put(`#Alias<${t.node.name}.${[...t.ids].reverse().join('.')}>`);
    if (t instanceof Ref) return put(`#Ref<${t.node.name}.${[...t.ids].reverse().join('.')}>`);
    if (t instanceof Port) return put(`#Port<${t.node.name}.${t.id}>`);
    if (t instanceof TermMap) {
      if (!put('#{')) return false;
      let first = true;
      for (const [k, v] of t) {
        if (!first && !put(',')) return false;
        first = false;
        if (!walk(k) || !put(' => ') || !walk(v)) return false;
      }
      return put('}');
    }
    if (t instanceof ImproperList) {
      if (!put('[')) return false;
      for (let i = 0; i < t.head.length; i++) {
        if (i > 0 && !put(',')) return false;
        if (!walk(t.head[i]!)) return false;
      }
      return put('|') && walk(t.tail) && put(']');
    }
    if (t instanceof BitBinary) {
      const whole = t.bytes.subarray(0, t.bytes.length - 1);
      const last = t.bytes[t.bytes.length - 1]! >> (8 - t.bits);
      return put(`<<${[...whole].map(String).concat(`${last}:${t.bits}`).join(',')}>>`);
    }
    if (t instanceof Export) return put(`fun ${t.module.inspect()}:${t.fn.inspect()}/${t.arity}`);
    if (t instanceof Fun) return put(`#Fun<${t.module.name}.${t.index}.${t.oldUniq}>`);
    if (t instanceof LocalTerm) return put(`#Local<${t.raw.length} bytes>`);
    if (t instanceof ProcessID) return put('{') && walk(t.name) && put(',') && walk(t.node) && put('}');
    if (t instanceof Event) return put(`#Event<${t.name.inspect()},${t.node.inspect()}>`);
    if (t instanceof Map) {
      if (!put('#{')) return false;
      let first = true;
      for (const [k, v] of t) {
        if (!first && !put(',')) return false;
        first = false;
        if (!walk(k) || !put(' => ') || !walk(v)) return false;
      }
      return put('}');
    }
    if (t instanceof Error) return put(`#Error<${t.name}: ${t.message}>`);
    if (t instanceof Date) return put(`#Date<${Number.isNaN(t.getTime()) ? 'invalid' : t.toISOString()}>`);
    if (isPlainObject(t as object)) {
      if (!put('#{')) return false;
      let first = true;
      for (const k of Object.keys(t as object)) {
        if (!first && !put(',')) return false;
        first = false;
        if (!put(atomText(k)) || !put(' => ') || !walk((t as Record<string, unknown>)[k])) return false;
      }
      return put('}');
    }
    const name = (t as object).constructor?.name;
    return put(`#${name || 'Object'}<>`);
  };
  const seq = (open: string, items: readonly unknown[], close: string): boolean => {
    if (!put(open)) return false;
    for (let i = 0; i < items.length; i++) {
      if (i > 0 && !put(',')) return false;
      if (!walk(items[i]!)) return false;
    }
    return put(close);
  };
  if (!walk(t)) return out.join('').slice(0, maxLength) + '…';
  return out.join('');
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function printable(c: number): boolean {
  return (c >= 32 && c !== 127 && !(c >= 0x80 && c < 0xa0)) || c === 10 || c === 9;
}

function quote(s: string): string {
  return '"' + s.replace(/[\\"]/g, (c) => '\\' + c).replace(/\n/g, '\\n').replace(/\t/g, '\\t') + '"';
}

/** A key as an atom would print, without interning it. */
function atomText(name: string): string {
  return /^[a-z][A-Za-z0-9_@]*$/.test(name) ? name : `'${name.replace(/[\\']/g, (c) => '\\' + c)}'`;
}

function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/** `"abc"` for a non-empty list of printable Latin-1 characters, as the shell prints it. */
function printableList(l: readonly unknown[]): string | undefined {
  if (l.length === 0 || l.length > 4096) return undefined;
  let s = '';
  for (const c of l) {
    if (typeof c !== 'number' || !Number.isInteger(c) || c > 255 || !printable(c)) return undefined;
    s += String.fromCharCode(c);
  }
  return quote(s);
}

/** `<<"text">>` when the bytes are printable text, else `<<1,2,3>>`. */
function binaryText(b: Uint8Array): string {
  if (b.length > 0 && b.length <= 4096) {
    let ascii = true;
    for (const c of b) if (c >= 0x80) ascii = false;
    try {
      const s = utf8.decode(b);
      let ok = true;
      for (const ch of s) if (!printable(ch.codePointAt(0)!)) ok = false;
      if (ok) return `<<${quote(s)}${ascii ? '' : '/utf8'}>>`;
    } catch {
      // not UTF-8: print the bytes
    }
  }
  return `<<${b.join(',')}>>`;
}

function floatText(v: number): string {
  if (Object.is(v, -0)) return '-0.0';
  const s = String(v);
  return /[.e]/.test(s) ? s.replace(/e\+?/, 'e') : s + '.0';
}

// ---------------------------------------------------------------- printing everywhere

const inspectCustom = Symbol.for('nodejs.util.inspect.custom');

function printAsErlang(this: unknown): string {
  return format(this as Term);
}

/** Install `[inspect.custom]` (and, where asked, `toString`) on a class's prototype. */
function installPrinting(cls: { prototype: object }, withToString: boolean): void {
  const proto = cls.prototype;
  Object.defineProperty(proto, inspectCustom, { value: printAsErlang, writable: true, configurable: true });
  if (withToString) Object.defineProperty(proto, 'toString', { value: printAsErlang, writable: true, configurable: true });
}

// Atoms keep their bare-text toString (code uses `${atom}` as the name); pids, refs and ports
// already have an Erlang-like toString of their own.
installPrinting(Atom, false);
installPrinting(Pid, false);
installPrinting(Ref, false);
installPrinting(Port, false);
installPrinting(ProcessID, false);
installPrinting(Event, false);
for (const c of [Tuple, ImproperList, ErlFloat, BitBinary, Export, Fun, LocalTerm, TermMap]) installPrinting(c, true);
