import { afterEach, describe, expect, it } from 'vitest';
import { A, atom, type Pid, type Term } from '../../src/term/index.js';
import { ErrCode } from '../../src/gen/index.js';
import { Actor } from '../../src/act/index.js';
import type { ApplicationBehavior, ApplicationSpec, Node } from '../../src/node/index.js';
import { startNode, until } from '../node/helpers.js';

let node: Node;
afterEach(async () => {
  await node?.stopForce();
});

const log: string[] = [];

class M extends Actor {
  override init(tag: unknown): void {
    log.push(`start:${String(tag)}:${String(this.process.env('LEVEL'))}`);
  }
  override handleMessage(m: unknown, _f: Pid): void {
    if (m === 'crash') throw atom('crashed');
    if (m === 'quit') this.process.stop(A.normal);
  }
  override terminate(reason: Term): void {
    log.push(`stop:${String(reason)}`);
  }
}

function app(name: string, extra: Partial<ApplicationSpec> = {}): ApplicationBehavior & { terminated?: Term; started?: string } {
  const b: ApplicationBehavior & { terminated?: Term; started?: string } = {
    load: () => ({
      name,
      env: { LEVEL: `app-${name}` },
      members: [
        { factory: M, name: `${name}_a`, args: [`${name}a`] },
        { factory: M, name: `${name}_b`, args: [`${name}b`] },
      ],
      ...extra,
    }),
    start(mode) {
      b.started = mode;
    },
    terminate(reason) {
      b.terminated = reason;
    },
  };
  return b;
}

describe('Application', () => {
  it('load, start members in order with app env, stop in reverse, info', async () => {
    ({ node } = await startNode({ env: { LEVEL: 'node' } }));
    log.length = 0;
    const b = app('web');
    expect(await node.applicationLoad(b)).toBe(atom('web'));
    expect(node.applicationInfo('web').state).toBe('loaded');
    await node.applicationStart('web');
    expect(b.started).toBe('temporary');
    expect(log).toEqual(['start:weba:app-web', 'start:webb:app-web']);
    const info = node.applicationInfo('web');
    expect(info.state).toBe('running');
    expect(info.members.length).toBe(2);
    expect(node.info().applications).toEqual([atom('web')]);
    expect(node.processList().every((p) => p.application === atom('web'))).toBe(true);
    await node.applicationStop('web');
    expect(log.slice(2)).toEqual(['stop:shutdown', 'stop:shutdown']);
    expect(node.applicationInfo('web').state).toBe('loaded');
    expect(b.terminated).toBe(A.shutdown);
    node.applicationUnload('web');
    expect(node.applications()).toEqual([]);
  });

  it('errors: unknown, empty, duplicate, wrong state', async () => {
    ({ node } = await startNode());
    await expect(node.applicationStart('nope')).rejects.toMatchObject({ code: ErrCode.ApplicationUnknown });
    await expect(node.applicationLoad(app('e', { members: [] }))).rejects.toMatchObject({ code: ErrCode.ApplicationEmpty });
    await node.applicationLoad(app('d'));
    await expect(node.applicationLoad(app('d'))).rejects.toMatchObject({ code: ErrCode.ApplicationName });
    await node.applicationStart('d');
    await expect(node.applicationStart('d')).rejects.toMatchObject({ code: ErrCode.ApplicationState });
    expect(() => node.applicationUnload('d')).toThrowError(/running/);
  });

  it('dependencies start first; missing or cyclic dependencies fail', async () => {
    ({ node } = await startNode());
    log.length = 0;
    await node.applicationLoad(app('db'));
    await node.applicationLoad(app('api', { depends: ['db'] }));
    await node.applicationStart('api');
    expect(node.applicationsRunning()).toEqual([atom('db'), atom('api')]);
    expect(log[0]).toBe('start:dba:app-db');
    await node.applicationLoad(app('lonely', { depends: ['ghost'] }));
    await expect(node.applicationStart('lonely')).rejects.toMatchObject({ code: ErrCode.ApplicationDepends });
    await node.applicationLoad(app('x', { depends: ['y'] }));
    await node.applicationLoad(app('y', { depends: ['x'] }));
    await expect(node.applicationStart('x')).rejects.toMatchObject({ code: ErrCode.ApplicationDepends });
    await node.stop();
    expect(node.applicationInfo('api').state).toBe('loaded');
  });

  it('a member failing to start stops the started ones and fails the start', async () => {
    ({ node } = await startNode());
    class Bad extends Actor {
      override init(): void {
        throw atom('nope');
      }
    }
    log.length = 0;
    await node.applicationLoad(app('half', { members: [{ factory: M, args: ['ok'] }, { factory: Bad }] }));
    await expect(node.applicationStart('half')).rejects.toMatchObject({ code: ErrCode.InitFailed });
    expect(log).toEqual(['start:ok:app-half', 'stop:shutdown']);
    expect(node.applicationInfo('half').state).toBe('loaded');
  });

  it('temporary: a member may die; the app stops when the last one is gone', async () => {
    ({ node } = await startNode());
    const b = app('t');
    await node.applicationLoad(b);
    await node.applicationStart('t', { mode: 'temporary' });
    node.send('t_a', 'crash');
    await until(() => node.applicationInfo('t').members.length === 1);
    expect(node.applicationInfo('t').state).toBe('running');
    node.send('t_b', 'quit');
    await until(() => node.applicationInfo('t').state === 'loaded');
    expect(b.terminated).toBe(A.normal);
    expect(node.isRunning).toBe(true);
  });

  it('transient: a normal exit is fine, an abnormal one stops the app and the node', async () => {
    ({ node } = await startNode());
    await node.applicationLoad(app('tr'));
    await node.applicationStart('tr', { mode: 'transient' });
    node.send('tr_a', 'quit');
    await until(() => node.applicationInfo('tr').members.length === 1);
    expect(node.isRunning).toBe(true);
    node.send('tr_b', 'crash');
    await node.stopped;
    expect(node.processCount()).toBe(0);
  });

  it('permanent: any member exit stops the app and the node', async () => {
    ({ node } = await startNode());
    const b = app('pm');
    await node.applicationLoad(b);
    await node.applicationStart('pm', { mode: 'permanent' });
    node.send('pm_a', 'quit');
    await node.stopped;
    expect(b.terminated).toBe(A.normal);
    expect(node.processCount()).toBe(0);
  });
});
