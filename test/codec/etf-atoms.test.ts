/**
 * The atom table (src/term/atom.ts): one atom per text however it is reached — by name,
 * by ETF bytes (UTF-8 or Latin-1 tags), by raw EDF bytes — across the index growing, with
 * names made only when read, and the decoder's limits on new atoms.
 */
import { describe, expect, it } from 'vitest';
import { decode, encode } from '../../src/codec/etf/index.js';
import { DecodeError } from '../../src/codec/errors.js';
import { Atom, atom, MAX_ATOM_CHARACTERS } from '../../src/term/atom.js';

const u32 = (n: number) => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];

/** ETF of a list of SMALL_ATOM_UTF8_EXT atoms. */
function atomList(names: string[]): Uint8Array {
  const parts: number[] = [131, 108, ...u32(names.length)];
  for (const n of names) {
    const b = Buffer.from(n, 'utf8');
    parts.push(119, b.length, ...b);
  }
  parts.push(106);
  return Uint8Array.from(parts);
}

function code(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof DecodeError) return e.code;
    throw e;
  }
  return undefined;
}

let run = 0;
const fresh = (prefix: string) => `${prefix}${(run++).toString(36)}_${Date.now().toString(36)}`;

describe('the atom table', () => {
  it('decoded new atoms are the atoms of their names, across the index growing, and keep their ids', () => {
    const base = fresh('grow');
    // Enough to double the index several times while this one term decodes.
    const names = Array.from({ length: 20_000 }, (_, i) => `${base}_${i}`);
    const before = Atom.count;
    const list = decode(atomList(names)) as Atom[];
    expect(Atom.count).toBe(before + names.length);
    const ids = new Set(list.map((a) => a.id));
    expect(ids.size).toBe(names.length);
    for (let i = 0; i < names.length; i += 997) {
      expect(list[i]!.name).toBe(names[i]);
      expect(atom(names[i]!)).toBe(list[i]);
      expect(Atom.existing(names[i]!)).toBe(list[i]);
    }
    // Decoding them again finds every one; no new atoms.
    const again = decode(atomList(names)) as Atom[];
    expect(Atom.count).toBe(before + names.length);
    for (let i = 0; i < names.length; i++) if (again[i] !== list[i]) throw new Error(`atom ${i} decoded twice`);
    // And they encode back to their bytes.
    expect(Buffer.from(encode(list)).equals(Buffer.from(atomList(names)))).toBe(true);
  });

  it('non-ASCII text: the same atom by name, by UTF-8 bytes and by Latin-1 bytes', () => {
    const name = fresh('é_ü_');
    const viaName = atom(name);
    const utf8 = Buffer.from(name, 'utf8');
    expect(decode(Uint8Array.from([131, 119, utf8.length, ...utf8]))).toBe(viaName);
    const latin1 = Buffer.from(name, 'latin1');
    expect(decode(Uint8Array.from([131, 115, latin1.length, ...latin1]))).toBe(viaName);
    expect(decode(Uint8Array.from([131, 100, 0, latin1.length, ...latin1]))).toBe(viaName);
    // Decoded first, named later.
    const other = fresh('ñ_');
    const ob = Buffer.from(other, 'utf8');
    const decoded = decode(Uint8Array.from([131, 119, ob.length, ...ob])) as Atom;
    expect(decoded.name).toBe(other);
    expect(atom(other)).toBe(decoded);
    expect(Buffer.from(decoded.utf8).equals(ob)).toBe(true);
  });

  it('Latin-1 bytes that happen to be the UTF-8 of another atom are not that atom', () => {
    const u = Buffer.from('é', 'utf8'); // c3 a9
    expect(decode(Uint8Array.from([131, 119, u.length, ...u]))).toBe(atom('é'));
    // The same two bytes under a Latin-1 tag are 'Ã©', right after 'é' was decoded (and cached).
    expect(decode(Uint8Array.from([131, 115, u.length, ...u]))).toBe(atom('Ã©'));
    expect(decode(Uint8Array.from([131, 100, 0, u.length, ...u]))).toBe(atom('Ã©'));
    expect(decode(Uint8Array.from([131, 119, u.length, ...u]))).toBe(atom('é'));
  });

  it('names are made from the bytes when read: ASCII, 2-, 3- and 4-byte UTF-8', () => {
    for (const name of [fresh('lazy_ascii_'), fresh('lazy_ß_'), fresh('lazy_€_'), fresh('lazy_😀_'), fresh('a_much_longer_ascii_name_than_twelve_')]) {
      const b = Buffer.from(name, 'utf8');
      const a = decode(Uint8Array.from([131, 118, 0, b.length, ...b])) as Atom;
      expect(a.byteLength).toBe(b.length);
      expect(a.name).toBe(name);
      expect(String(a)).toBe(name);
      expect(atom(name)).toBe(a);
    }
  });

  it('255 characters of 4 bytes each is an atom (1,020 bytes); 256 is not', () => {
    const name = '😀'.repeat(MAX_ATOM_CHARACTERS - 1) + fresh('').slice(0, 1);
    const a = atom('😀'.repeat(MAX_ATOM_CHARACTERS));
    expect(a.byteLength).toBe(4 * MAX_ATOM_CHARACTERS);
    expect(Atom.existing('😀'.repeat(MAX_ATOM_CHARACTERS))).toBe(a);
    const b = Buffer.from('😀'.repeat(MAX_ATOM_CHARACTERS), 'utf8');
    expect(decode(Uint8Array.from([131, 118, b.length >> 8, b.length & 255, ...b]))).toBe(a);
    expect(() => atom('😀'.repeat(MAX_ATOM_CHARACTERS + 1))).toThrow(RangeError);
    expect(Atom.existing('😀'.repeat(MAX_ATOM_CHARACTERS + 1))).toBeUndefined();
    expect(atom(name).name).toBe(name);
    const long = Buffer.from('😀'.repeat(MAX_ATOM_CHARACTERS + 1), 'utf8');
    expect(code(() => decode(Uint8Array.from([131, 118, long.length >> 8, long.length & 255, ...long])))).toBe('ERR_ETF_ATOM_TOO_LONG');
    expect(code(() => decode(Uint8Array.from([131, 118, 1, 0, ...Buffer.alloc(256, 97)])))).toBe('ERR_ETF_ATOM_TOO_LONG');
  });

  it('a name with a lone surrogate that no bytes decode to is its own atom', () => {
    const odd = atom('\ud800' + fresh('x'));
    const replaced = odd.name.replace('\ud800', '\ufffd');
    expect(odd.name.startsWith('\ud800')).toBe(true);
    expect(atom(odd.name)).toBe(odd);
    expect(Atom.existing(odd.name)).toBe(odd);
    // Its bytes are those of U+FFFD: decoding them gives the atom of U+FFFD, not this one.
    const b = Buffer.from(replaced, 'utf8');
    const decoded = decode(Uint8Array.from([131, 119, b.length, ...b])) as Atom;
    expect(decoded).not.toBe(odd);
    expect(decoded.name).toBe(replaced);
    expect(atom(replaced)).toBe(decoded);
  });

  it('an atom of raw bytes is found by its escaped name and its bytes, never by ETF', () => {
    const tail = Buffer.from(fresh('raw'));
    const bytes = Uint8Array.from([0xff, ...tail]);
    const a = Atom.fromBytes(bytes);
    expect(a.raw).toBe(true);
    expect(a.name).toBe('\udcff' + tail.toString());
    expect(atom(a.name)).toBe(a);
    expect(Atom.fromBytes(bytes)).toBe(a);
    expect(Atom.findText(bytes, 0, bytes.length)).toBeUndefined();
    expect(Atom.findText(bytes, 0, bytes.length, true)).toBe(a);
    expect(code(() => decode(Uint8Array.from([131, 119, bytes.length, ...bytes])))).toBe('ERR_ETF_BAD_UTF8');
  });

  it('existing atoms only, and the atom limit, refuse a new atom but find old ones', () => {
    const name = fresh('safe_');
    const input = atomList([name]);
    const err = (() => {
      try {
        decode(input, { existingAtoms: true });
      } catch (e) {
        return e as DecodeError;
      }
      return undefined;
    })();
    expect(err?.code).toBe('ERR_ETF_NEW_ATOM');
    expect(err?.message).toContain(name);
    expect(code(() => decode(input, { maxAtoms: Atom.count }))).toBe('ERR_ETF_ATOM_LIMIT');
    expect(Atom.existing(name)).toBeUndefined();
    const a = atom(name);
    expect(decode(input, { existingAtoms: true, maxAtoms: 1 })).toEqual([a]);
    // Latin-1 tags too.
    const l = fresh('safé_');
    const lb = Buffer.from(l, 'latin1');
    expect(code(() => decode(Uint8Array.from([131, 115, lb.length, ...lb]), { existingAtoms: true }))).toBe('ERR_ETF_NEW_ATOM');
  });

  it('toEqual tells atoms apart', () => {
    expect(atom('same')).toEqual(atom('same'));
    expect(atom('one')).not.toEqual(atom('two'));
    expect([atom('a'), 1]).not.toEqual([atom('b'), 1]);
  });
});
