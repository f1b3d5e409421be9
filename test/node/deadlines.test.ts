/**
 * Call deadlines (src/node/deadlines.ts): one timer per timeout value instead of one per call.
 * Items expire once each, in deadline order across lists; a removed item never expires; an
 * item added from an expiry handler is still timed; and a list with nothing waiting does not
 * keep the process alive.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Deadlines, type Expiring } from '../../src/node/deadlines.js';

const item = (name: string): Expiring & { name: string } => ({ name, deadline: 0, expiry: undefined });

describe('call deadlines', () => {
  it('expire once each, in deadline order across timeout values; removed ones never', async () => {
    const fired: string[] = [];
    let done!: () => void;
    const all = new Promise<void>((r) => (done = r));
    const d = new Deadlines((i) => {
      fired.push((i as ReturnType<typeof item>).name);
      if (fired.length === 4) done();
    });
    const a = item('a-60');
    const b = item('b-60');
    const gone = item('gone-60');
    const c = item('c-5');
    const e = item('e-120');
    d.add(a, 60);
    d.add(gone, 60);
    d.add(b, 60);
    d.add(e, 120);
    d.add(c, 5);
    d.remove(gone);
    d.remove(gone);
    await all;
    await new Promise((r) => setTimeout(r, 100));
    expect(fired).toEqual(['c-5', 'a-60', 'b-60', 'e-120']);
    expect(a.expiry).toBeUndefined();
  });

  it('an item added by an expiry handler, with the same timeout, expires in its turn', async () => {
    const fired: string[] = [];
    let done!: () => void;
    const finished = new Promise<void>((r) => (done = r));
    const d = new Deadlines((i) => {
      const name = (i as ReturnType<typeof item>).name;
      fired.push(name);
      if (name === 'first') d.add(item('again'), 20);
      if (name === 'again') done();
    });
    d.add(item('first'), 20);
    d.add(item('second'), 20);
    await finished;
    expect(fired).toEqual(['first', 'second', 'again']);
  });

  it('a process whose items were all removed exits without waiting for the timer', () => {
    const src = fileURLToPath(new URL('../../src/node/deadlines.ts', import.meta.url));
    const code = `import { Deadlines } from ${JSON.stringify(src)};
      const d = new Deadlines(() => { console.log('expired'); });
      const i = { deadline: 0, expiry: undefined };
      d.add(i, 60000);
      d.remove(i);
      console.log('done');`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { encoding: 'utf8', timeout: 20_000 });
    expect(r.error).toBeUndefined();
    expect(r.stdout.trim()).toBe('done');
    expect(r.status).toBe(0);
  });
});
