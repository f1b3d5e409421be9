/**
 * Erlang source syntax for a term (`{ok,[1,2]}`, `#{a => <<"x">>}`, `<0.80.0>`), for logs,
 * errors and test failures. Pids, refs and ports print with their node name, since a TS node
 * cannot know the peer's node index.
 */
import { Atom } from './atom.js';
import { Alias, Pid, Port, Ref } from './ids.js';
import { TermMap } from './map.js';
import { BitBinary, ErlFloat, Export, Fun, ImproperList, LocalTerm, Tuple, type Term } from './types.js';

export function format(t: Term, maxLength = 4096): string {
  const out: string[] = [];
  let len = 0;
  const put = (s: string): boolean => {
    out.push(s);
    len += s.length;
    return len < maxLength;
  };
  const walk = (t: Term): boolean => {
    switch (typeof t) {
      case 'number':
        return put(Number.isInteger(t) ? String(t + 0) : floatText(t));
      case 'bigint':
        return put(t.toString());
      case 'boolean':
        return put(String(t));
      case 'string':
        return put(binaryText(new TextEncoder().encode(t)));
    }
    if (t instanceof Atom) return put(t.inspect());
    if (Array.isArray(t)) {
      const str = printableList(t as readonly Term[]);
      return str !== undefined ? put(str) : seq('[', t as readonly Term[], ']');
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
    return put(`#JS<${Object.prototype.toString.call(t)}>`);
  };
  const seq = (open: string, items: readonly Term[], close: string): boolean => {
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

/** `"abc"` for a non-empty list of printable Latin-1 characters, as the shell prints it. */
function printableList(l: readonly Term[]): string | undefined {
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
