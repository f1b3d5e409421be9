/** Terms print as Erlang wherever Node.js prints them: console.log / util.inspect, template strings, format(). */
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { A, Alias, atom, float, format, improperList, Pid, Ref, TermMap, tuple } from '../../src/term/index.js';
import { event, MessageDown, MessageExit, processId } from '../../src/gen/index.js';

const n = atom('n@h');
const pid = new Pid(n, 42, 0, 1);

describe('printing', () => {
  it('util.inspect (what console.log uses) shows Erlang syntax, also inside JS objects', () => {
    expect(inspect(atom('ok'))).toBe('ok');
    expect(inspect(atom('Hello world'))).toBe("'Hello world'");
    expect(inspect(tuple(A.ok, pid))).toBe('{ok,<n@h.42.0>}');
    expect(inspect(new TermMap([['a', 1]]))).toBe('#{<<"a">> => 1}');
    expect(inspect(pid)).toBe('<n@h.42.0>');
    expect(inspect(new Ref(n, 1, [1, 2, 3]))).toBe('#Ref<n@h.3.2.1>');
    expect(inspect(new Alias(n, 1, [1, 2, 3]))).toBe('#Alias<n@h.3.2.1>');
    expect(inspect(processId('db', n))).toBe("{db,n@h}");
    expect(inspect({ reply: tuple(A.ok, [1, 2]) })).toBe('{ reply: {ok,[1,2]} }');
    expect(inspect([atom('a'), float(1)])).toBe('[ a, 1.0 ]');
  });

  it('template strings and String() give the same text', () => {
    expect(`${tuple(A.ok, pid)}`).toBe('{ok,<n@h.42.0>}');
    expect(String(new TermMap([[atom('k'), tuple()]]))).toBe('#{k => {}}');
    expect(`${improperList([1], atom('t'))}`).toBe('[1|t]');
    expect(`${float(2)}`).toBe('2.0');
    // an atom's String() stays its text, so `${atom}` can be used as a name
    expect(`${atom('Hello world')}`).toBe('Hello world');
  });

  it('format() handles DOWN/EXIT messages, JS Maps, plain objects and non-terms', () => {
    const ref = new Ref(n, 1, [1, 2, 3]);
    expect(format(new MessageDown(ref, pid, atom('boom')))).toBe("{'DOWN',#Ref<n@h.3.2.1>,process,<n@h.42.0>,boom}");
    expect(format(new MessageDown(ref, processId('db', n), A.normal))).toBe("{'DOWN',#Ref<n@h.3.2.1>,process,{db,n@h},normal}");
    expect(format(new MessageExit(pid, A.shutdown))).toBe("{'EXIT',<n@h.42.0>,shutdown}");
    expect(format(new MessageDown(ref, n, A.noconnection))).toBe("{nodedown,n@h}");
    expect(format(new Map<unknown, unknown>([[atom('a'), 1], ['b', [2]]]))).toBe('#{a => 1,<<"b">> => [2]}');
    expect(format({ a: 1, 'B c': tuple(A.ok) })).toBe("#{a => 1,'B c' => {ok}}");
    expect(format(undefined)).toBe('undefined');
    expect(format(null)).toBe('null');
    expect(format(new TypeError('bad'))).toBe('#Error<TypeError: bad>');
    expect(format(event('prices', n))).toBe("#Event<prices,n@h>");
    expect(format(Symbol('s'))).toBe('#Symbol<s>');
  });
});
