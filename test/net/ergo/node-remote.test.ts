/**
 * Remote spawn and remote application start between two TS nodes over the Ergo stack, both
 * ways, through the node API: the allow-list (`enableSpawn`, `enableApplicationStart`, per
 * requesting node) refuses what is not enabled for the requester; what is enabled starts with
 * its arguments, its registered name, its parent, a link when asked, and its start mode.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { A, atom, type Pid } from '../../../src/term/index.js';
import { ErrCode, MessageExit } from '../../../src/gen/index.js';
import { Actor } from '../../../src/act/index.js';
import type { ApplicationBehavior, ApplicationSpec, Node } from '../../../src/node/index.js';
import { Cluster, spawnProbe, until, VARIANTS, type Variant } from './node-support.js';

const started: { node: string; args: unknown[]; parent: Pid }[] = [];

class Worker extends Actor {
  override init(...args: unknown[]): void {
    started.push({ node: this.process.node.name.name, args, parent: this.process.parent });
  }
  override handleMessage(m: unknown): void {
    if (m === 'crash') this.process.stop(atom('crashed'));
  }
}

class App implements ApplicationBehavior {
  modes: string[] = [];
  load(): ApplicationSpec {
    return { name: 'app1', members: [{ factory: Worker, name: 'app1_worker' }], mode: 'temporary' };
  }
  start(mode: string): void {
    this.modes.push(mode);
  }
}

describe.each(VARIANTS)('Ergo stack remote spawn and application start over %s', (v: Variant) => {
  let c: Cluster;
  let a: Node;
  let b: Node;
  beforeEach(async () => {
    c = await Cluster.create();
    a = await c.node('a', v);
    b = await c.node('b', v);
    started.length = 0;
  });
  afterEach(async () => {
    await c.close();
  });

  it('remote spawn: refused unless enabled for the requesting node; accepted with args, name and parent, both ways', async () => {
    const { probe } = await spawnProbe(a);
    await expect(probe.process.remoteSpawn(b.name, 'worker')).rejects.toMatchObject({ code: ErrCode.NotAllowed });
    b.enableSpawn('worker', Worker, { nodes: ['someone@else'] });
    await expect(probe.process.remoteSpawn(b.name, 'worker')).rejects.toMatchObject({ code: ErrCode.NotAllowed });
    b.enableSpawn('worker', Worker, { nodes: [a.name] });
    const pid = await probe.process.remoteSpawn(b.name, 'worker', { args: ['x', 7n], register: 'spawned' });
    expect(pid.node).toBe(b.name);
    expect(b.whereis('spawned')).toEqual(pid);
    expect(started).toEqual([{ node: b.name.name, args: ['x', 7], parent: probe.process.pid }]);

    // The other way.
    a.enableSpawn('worker', Worker);
    const { probe: back } = await spawnProbe(b);
    const pid2 = await back.process.remoteSpawn(a.name, 'worker', { args: [] });
    expect(pid2.node).toBe(a.name);
    expect(a.processInfo(pid2).parent).toEqual(back.process.pid);
    // Erlang-style {M, F} names are not Ergo's: refused before anything is sent.
    await expect(back.process.remoteSpawn(a.name, { module: 'm', function: 'f' })).rejects.toMatchObject({ code: ErrCode.Unsupported });
  });

  it('remote spawn with link: a two-way link, either end reaching the other', async () => {
    b.enableSpawn('worker', Worker);
    const { probe } = await spawnProbe(a);
    probe.process.trapExit = true;
    const child = await probe.process.remoteSpawn(b.name, 'worker', { link: true });
    await until(() => b.processInfo(child).linkedBy.length === 1, 5000, 'the link on the child');
    a.send(child, 'crash');
    const x = await probe.receive<MessageExit>((m) => m instanceof MessageExit, 5000);
    expect(x.from).toEqual(child);
    expect(x.reason).toBe(atom('crashed'));

    const { probe: parent } = await spawnProbe(a);
    const child2 = await parent.process.remoteSpawn(b.name, 'worker', { link: true });
    await until(() => b.processInfo(child2).linkedBy.length === 1, 5000, 'the link on the child');
    a.sendExit(parent.process.pid, atom('parent_gone'));
    expect(await b.wait(child2, 5000)).toBe(atom('parent_gone'));
  });

  it('remote application start: refused unless enabled for the requester; started in the asked mode, both ways', async () => {
    const appB = new App();
    await b.applicationLoad(appB);
    await expect(a.remoteApplicationStart(b.name, 'app1')).rejects.toMatchObject({ code: ErrCode.NotAllowed });
    b.enableApplicationStart('app1', ['other@node']);
    await expect(a.remoteApplicationStart(b.name, 'app1')).rejects.toMatchObject({ code: ErrCode.NotAllowed });
    b.enableApplicationStart('app1', [a.name]);
    await a.remoteApplicationStart(b.name, 'app1', { mode: 'transient' });
    expect(b.applicationInfo('app1').state).toBe('running');
    expect(appB.modes).toEqual(['transient']);
    expect(b.whereis('app1_worker')).toBeDefined();
    // Already running: the peer's error.
    await expect(a.remoteApplicationStart(b.name, 'app1')).rejects.toMatchObject({ code: ErrCode.ApplicationState });

    const appA = new App();
    await a.applicationLoad(appA);
    a.enableApplicationStart('app1');
    await b.remoteApplicationStart(a.name, 'app1');
    expect(a.applicationInfo('app1').state).toBe('running');
    expect(appA.modes).toEqual(['temporary']);
    void A;
  });
});
