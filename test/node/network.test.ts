/**
 * Network transparency through the router contract: a recording fake router stands in for
 * the network stacks (which implement the same interface in later layers).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { A, Alias, atom, Pid, Ref, type Atom, type Term } from '../../src/term/index.js';
import {
  ErrCode,
  event,
  MessageDown,
  MessageExit,
  processId,
  type Event,
  type LinkKind,
  type MessageEvent,
  type NetworkRouter,
  type RemoteSendOptions,
  type RemoteTarget,
} from '../../src/gen/index.js';
import type { Node } from '../../src/node/index.js';
import { spawnProbe, startNode } from './helpers.js';

class FakeRouter implements NetworkRouter {
  calls: [string, ...unknown[]][] = [];
  lastCallRef: Ref | undefined;
  send(from: Pid, to: RemoteTarget, message: unknown, o: RemoteSendOptions): void | Promise<void> {
    this.calls.push(['send', from, to, message, o.priority, o.important]);
    if (o.important) return Promise.reject(Object.assign(new Error('unknown'), { code: ErrCode.ProcessUnknown }));
    return undefined;
  }
  call(from: Pid, to: RemoteTarget, ref: Ref, request: unknown): void {
    this.lastCallRef = ref;
    this.calls.push(['call', from, to, request]);
  }
  sendResponse(from: Pid, to: Pid | Alias, ref: Ref, value: unknown, error?: Term): void {
    this.calls.push(['sendResponse', from, to, ref, value, error]);
  }
  sendExit(from: Pid, to: Pid, reason: Term): void {
    this.calls.push(['sendExit', from, to, reason]);
  }
  linkExit(from: Pid, to: Pid, reason: Term, kind: LinkKind): void {
    this.calls.push(['linkExit', from, to, reason, kind]);
  }
  link(from: Pid, to: RemoteTarget, kind: LinkKind): void {
    this.calls.push(['link', from, to, kind]);
  }
  unlink(from: Pid, to: RemoteTarget, kind: LinkKind): void {
    this.calls.push(['unlink', from, to, kind]);
  }
  monitor(from: Pid, to: RemoteTarget, ref: Ref): void {
    this.calls.push(['monitor', from, to, ref]);
  }
  demonitor(from: Pid, to: RemoteTarget, ref: Ref): void {
    this.calls.push(['demonitor', from, to, ref]);
  }
  monitorExit(from: Pid | RemoteTarget, to: Pid, ref: Ref, reason: Term): void {
    this.calls.push(['monitorExit', from, to, ref, reason]);
  }
  async linkEvent(from: Pid, ev: Event): Promise<MessageEvent[]> {
    this.calls.push(['linkEvent', from, ev]);
    return [];
  }
  unlinkEvent(): void {}
  async monitorEvent(from: Pid, ev: Event): Promise<MessageEvent[]> {
    this.calls.push(['monitorEvent', from, ev]);
    return [];
  }
  demonitorEvent(): void {}
  monitorNode(from: Pid, node: Atom): void {
    this.calls.push(['monitorNode', from, node]);
  }
  demonitorNode(): void {}
  async spawn(from: Pid, node: Atom, name: Atom): Promise<Pid> {
    this.calls.push(['spawn', from, node, name]);
    return new Pid(node, 5000, 0, 1);
  }
  nodes(): Atom[] {
    return [atom('peer@host')];
  }
  ops(): string[] {
    return this.calls.map((c) => c[0]);
  }
}

let node: Node;
afterEach(async () => {
  await node?.stopForce();
});

const peer = atom('peer@host');
const rpid = new Pid(peer, 1001, 0, 1);

describe('remote targets go through the router', () => {
  it('send, important send, call with response, exit', async () => {
    const router = new FakeRouter();
    ({ node } = await startNode({ router }));
    const { probe, pid } = await spawnProbe(node);
    probe.process.send(rpid, 'hi');
    probe.process.send(processId('svc', peer), 'yo', { priority: 'high' });
    await expect(probe.process.sendImportant(rpid, 'x')).rejects.toMatchObject({ code: ErrCode.ProcessUnknown });
    const answer = probe.process.call(rpid, 'req');
    node.inbound.deliverResponse(router.lastCallRef!, 'resp');
    expect(await answer).toBe('resp');
    const failing = probe.process.call(rpid, 'req2');
    node.inbound.deliverResponse(router.lastCallRef!, undefined, atom('badarg'));
    await expect(failing).rejects.toMatchObject({ code: ErrCode.CallFailed, reason: atom('badarg') });
    probe.process.sendExit(rpid, A.shutdown);
    expect(router.ops()).toEqual(['send', 'send', 'send', 'call', 'call', 'sendExit']);
    expect(router.calls[1]![4]).toBe('high');
    expect((router.calls[0]![1] as Pid).equals(pid)).toBe(true);
  });

  it('inbound messages and calls reach local pids, names and aliases; answers go back out', async () => {
    const router = new FakeRouter();
    ({ node } = await startNode({ router }));
    const { probe, pid } = await spawnProbe(node, undefined, 'svc');
    probe.onCall = (r) => `re:${String(r)}`;
    node.inbound.deliver(rpid, pid, 1, 'normal');
    node.inbound.deliver(rpid, atom('svc'), 2, 'normal');
    node.inbound.deliver(rpid, probe.process.createAlias(), 3, 'normal');
    await probe.receive((m) => m === 3);
    expect(probe.inbox.map((e) => e.message)).toEqual([1, 2]);
    const ref = new Ref(peer, 1, [9, 9, 9]);
    node.inbound.deliverCall(rpid, atom('svc'), ref, 'q', 'normal');
    await new Promise((r) => setTimeout(r, 5));
    const resp = router.calls.find((c) => c[0] === 'sendResponse')!;
    expect(resp[4]).toBe('re:q');
    expect((resp[3] as Ref).equals(ref)).toBe(true);
    node.inbound.deliverCall(rpid, atom('ghost'), ref, 'q', 'normal');
    expect(router.calls.filter((c) => c[0] === 'sendResponse')[1]![5]).toBe(A.noproc);
    expect(() => node.inbound.deliver(rpid, atom('ghost'), 1, 'normal')).toThrowError();
  });

  it('links and monitors to remote pids: recorded, fired by link exits, DOWNs and nodedown', async () => {
    const router = new FakeRouter();
    ({ node } = await startNode({ router }));
    const a = await spawnProbe(node);
    a.probe.process.trapExit = true;
    a.probe.process.link(rpid);
    const ref = a.probe.process.monitor(rpid);
    const ref2 = a.probe.process.monitor(processId('svc', peer));
    a.probe.process.monitorNode(peer);
    expect(router.ops()).toEqual(['link', 'monitor', 'monitor', 'monitorNode']);
    node.inbound.deliverDown(rpid, a.pid, ref, atom('gone'));
    const d = await a.probe.receive<MessageDown>((m) => m instanceof MessageDown);
    expect(d.reason).toBe(atom('gone'));
    node.inbound.nodeDown(peer, A.noconnection);
    const x = await a.probe.receive<MessageExit>((m) => m instanceof MessageExit);
    expect(x.reason).toBe(A.noconnection);
    const downs = [await a.probe.receive<MessageDown>((m) => m instanceof MessageDown), await a.probe.receive<MessageDown>((m) => m instanceof MessageDown)];
    expect(downs.map((m) => m.kind).sort()).toEqual(['name', 'node']);
    expect(downs.find((m) => m.kind === 'name')!.ref.equals(ref2)).toBe(true);
    expect(downs.find((m) => m.kind === 'node')!.toTerm().elements[0]).toBe(atom('nodedown'));
  });

  it('a dying local process owes remote links an exit and remote monitors a DOWN', async () => {
    const router = new FakeRouter();
    ({ node } = await startNode({ router }));
    const a = await spawnProbe(node, undefined, 'svc');
    node.inbound.remoteLink(rpid, a.pid, 'erlang');
    const mref = new Ref(peer, 1, [1, 2, 3]);
    node.inbound.remoteMonitor(rpid, atom('svc'), mref);
    node.inbound.remoteMonitor(rpid, atom('ghost'), mref);
    expect(router.calls.at(-1)).toEqual(['monitorExit', processId('ghost', node.name), rpid, mref, A.noproc]);
    node.sendExit(a.pid, atom('boom'));
    await node.wait(a.pid);
    const le = router.calls.find((c) => c[0] === 'linkExit')!;
    expect(le[3]).toBe(atom('boom'));
    expect(le[4]).toBe('erlang');
    const me = router.calls.filter((c) => c[0] === 'monitorExit')[1]!;
    expect(me[1]).toEqual(processId('svc', node.name));
    expect(me[4]).toBe(atom('boom'));
  });

  it('an inbound link exit kills a non-trapping linked process; pending remote calls fail on nodedown', async () => {
    const router = new FakeRouter();
    ({ node } = await startNode({ router }));
    const a = await spawnProbe(node);
    a.probe.process.link(rpid);
    const call = node.call(rpid, 'x', { timeout: Infinity });
    node.inbound.deliverLinkExit(rpid, a.pid, atom('crash'), 'erlang');
    expect(await node.wait(a.pid)).toBe(atom('crash'));
    node.inbound.nodeDown(peer, A.noconnection);
    await expect(call).rejects.toMatchObject({ code: ErrCode.NoConnection });
  });

  it('remote spawn and event subscription use the router', async () => {
    const router = new FakeRouter();
    ({ node } = await startNode({ router }));
    const a = await spawnProbe(node);
    const pid = await a.probe.process.remoteSpawn(peer, 'worker', { link: true });
    expect(pid.node).toBe(peer);
    expect(node.processInfo(a.pid).links.map(String)).toEqual([String(pid)]);
    expect(await a.probe.process.monitorEvent(event('ticks', peer))).toEqual([]);
    expect(router.ops()).toEqual(['spawn', 'monitorEvent']);
  });
});
