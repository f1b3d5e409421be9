/**
 * `Supervisor`: OTP's supervisor over the runtime. Subclass it and return a spec from
 * `spec(...args)`:
 *
 * ```ts
 * class Top extends Supervisor {
 *   spec() {
 *     return { strategy: 'one_for_one', intensity: 3, period: 5,
 *              children: [{ id: 'db', start: { factory: Db } }] };
 *   }
 * }
 * ```
 *
 * Rules (OTP's, where Ergo differs): children start in order and stop in reverse; each child
 * is linked (two-way) and the supervisor traps exits; restart `permanent` always, `transient`
 * unless the reason is `normal`/`shutdown`/`{shutdown,_}`, `temporary` never (and the child is
 * forgotten). More than `intensity` restarts within `period` seconds: every child is stopped
 * and the supervisor exits with `shutdown`. Stopping a child sends `shutdown` and waits its own
 * `shutdown` ms before killing it (Ergo has no per-child timeout; OTP does). Significant
 * children with `autoShutdown` stop the supervisor when they (any / all) end without restart.
 */
import { A, atom, type Atom, type Pid, type Term, tuple } from '../term/index.js';
import { ErrCode, MessageExit, RuntimeError, isNormalExit, reasonText } from '../gen/index.js';
import type { Factory, Node, Process, ProcessOptions, RemoteSpawnName, Target } from '../node/index.js';
import { Actor } from './actor.js';
import { replyLater, type From } from './reply.js';

export type Strategy = 'one_for_one' | 'all_for_one' | 'rest_for_one' | 'simple_one_for_one';
export type Restart = 'permanent' | 'transient' | 'temporary';
/** Milliseconds, `brutal_kill` (kill at once) or `infinity` (wait forever). */
export type Shutdown = number | 'brutal_kill' | 'infinity';
export type AutoShutdown = 'never' | 'any_significant' | 'all_significant';

/**
 * A child on another node: spawned there with a two-way link to the supervisor (an Erlang
 * `{Module, Function}` with `spawn_link`, or an Ergo spawn name with LinkParent), as OTP's
 * supervisor runs a start function that returns a linked remote pid.
 */
export interface RemoteChildStart {
  node: Atom | string;
  name: RemoteSpawnName;
  args?: unknown[];
}

export interface ChildSpec {
  id: string;
  /** A local behaviour, or `{ remote: … }` for a process on another node (BEAM or Ergo). */
  start: { factory: Factory; args?: unknown[]; options?: ProcessOptions } | { remote: RemoteChildStart };
  /** Default `permanent`. */
  restart?: Restart;
  /** Default 5000 for workers, `infinity` for supervisors. */
  shutdown?: Shutdown;
  type?: 'worker' | 'supervisor';
  /** Only with restart `transient` or `temporary`. */
  significant?: boolean;
  /** Register the child under this name. */
  name?: Atom | string;
}

export interface SupervisorSpec {
  strategy: Strategy;
  /** Restarts allowed within `period`; default 1 (OTP's default). */
  intensity?: number;
  /** Seconds; default 5. */
  period?: number;
  autoShutdown?: AutoShutdown;
  /** For `simple_one_for_one`: exactly one, the template. */
  children: ChildSpec[];
}

export interface ChildInfo {
  id: string;
  pid: Pid | undefined;
  type: 'worker' | 'supervisor';
  restart: Restart;
}

interface Child {
  spec: ChildSpec;
  pid: Pid | undefined;
  /** simple_one_for_one: the extra args this instance was started with. */
  extra: unknown[];
}

/** Requests the supervisor answers (local objects, made by the helper functions below). */
class SupRequest {
  constructor(
    readonly op: 'start' | 'terminate' | 'restart' | 'delete' | 'which' | 'count',
    readonly arg: unknown,
  ) {}
}

function failedToStart(id: string, reason: Term): Term {
  return tuple(A.shutdown, tuple(atom('failed_to_start_child'), atom(id), reason));
}

export abstract class Supervisor extends Actor {
  #strategy: Strategy = 'one_for_one';
  #intensity = 1;
  #period = 5;
  #auto: AutoShutdown = 'never';
  #children: Child[] = [];
  #template: ChildSpec | undefined;
  #restarts: number[] = [];
  #stopping = false;

  /** The supervision spec (OTP's init/1). May be async. */
  abstract spec(...args: unknown[]): SupervisorSpec | Promise<SupervisorSpec>;

  override async init(...args: unknown[]): Promise<void> {
    this.process.trapExit = true;
    const s = await this.spec(...args);
    this.#strategy = s.strategy;
    this.#intensity = s.intensity ?? 1;
    this.#period = s.period ?? 5;
    this.#auto = s.autoShutdown ?? 'never';
    for (const c of s.children) validate(c);
    if (s.strategy === 'simple_one_for_one') {
      if (s.children.length !== 1) throw new RuntimeError(ErrCode.Incorrect, 'simple_one_for_one needs exactly one child spec');
      this.#template = s.children[0];
      return;
    }
    const ids = new Set<string>();
    for (const spec of s.children) {
      if (ids.has(spec.id)) throw new RuntimeError(ErrCode.ChildExist, `duplicate child id ${spec.id}`);
      ids.add(spec.id);
      const child: Child = { spec, pid: undefined, extra: [] };
      try {
        child.pid = await this.#startChild(child);
      } catch (e) {
        // OTP: stop what started (in reverse) and fail with {shutdown, {failed_to_start_child, Id, R}}.
        await this.#stopAll();
        throw reasonFrom(e, spec.id);
      }
      this.#children.push(child);
    }
  }

  async #startChild(c: Child): Promise<Pid> {
    const st = c.spec.start;
    if ('remote' in st) {
      const r = st.remote;
      return this.process.remoteSpawn(r.node, r.name, { args: [...(r.args ?? []), ...c.extra], link: true });
    }
    const options: ProcessOptions = { ...st.options, linkParent: true };
    const args = [...(st.args ?? []), ...c.extra];
    const o = { ...options, args };
    return c.spec.name !== undefined ? this.process.spawnRegister(c.spec.name, st.factory as Factory, o) : this.process.spawn(st.factory as Factory, o);
  }

  override handleMessage(message: unknown, from: Pid): unknown {
    if (message instanceof MessageExit && message.kind === 'process') return this.#childExit(from, message.reason);
    return super.handleMessage(message, from);
  }

  async #childExit(pid: Pid, reason: Term): Promise<void> {
    const i = this.#children.findIndex((c) => c.pid !== undefined && c.pid.equals(pid));
    if (i < 0) return; // not ours (or already stopped by us)
    const child = this.#children[i]!;
    child.pid = undefined;
    const restart = child.spec.restart ?? 'permanent';
    const again = restart === 'permanent' || (restart === 'transient' && !isNormalExit(reason));
    if (!isNormalExit(reason)) {
      this.log.error('child %s (%s) exited: %s', child.spec.id, String(pid), reasonText(reason));
    }
    if (!again) {
      if (restart === 'temporary' || this.#strategy === 'simple_one_for_one') this.#children.splice(i, 1);
      if (child.spec.significant && this.#autoShutdownDue()) {
        this.log.info('significant child %s ended: auto-shutdown', child.spec.id);
        this.process.stop(A.shutdown);
      }
      return;
    }
    await this.#restart(child);
  }

  #autoShutdownDue(): boolean {
    if (this.#auto === 'any_significant') return true;
    if (this.#auto === 'all_significant') return !this.#children.some((c) => c.spec.significant && c.pid !== undefined);
    return false;
  }

  /** Count a restart; false (and the supervisor stopping) when the intensity is exceeded. */
  #allowRestart(): boolean {
    const now = Date.now();
    const horizon = now - this.#period * 1000;
    this.#restarts = this.#restarts.filter((t) => t > horizon);
    this.#restarts.push(now);
    if (this.#restarts.length > this.#intensity) {
      this.log.error('reached max restart intensity (%d in %d s): shutting down', this.#intensity, this.#period);
      this.process.stop(A.shutdown);
      return false;
    }
    return true;
  }

  async #restart(failed: Child): Promise<void> {
    if (!this.#allowRestart()) return;
    const idx = this.#children.indexOf(failed);
    let group: Child[];
    switch (this.#strategy) {
      case 'all_for_one':
        group = [...this.#children];
        break;
      case 'rest_for_one':
        group = this.#children.slice(idx);
        break;
      default:
        group = [failed];
    }
    // Stop the others in the group, newest first.
    for (const c of [...group].reverse()) if (c !== failed && c.pid !== undefined) await this.#shutdownChild(c);
    for (const c of group) {
      if (c !== failed && (c.spec.restart ?? 'permanent') === 'temporary') {
        this.#children.splice(this.#children.indexOf(c), 1);
        continue;
      }
      for (;;) {
        try {
          c.pid = await this.#startChild(c);
          break;
        } catch (e) {
          this.log.error('restarting child %s failed: %s', c.spec.id, String(e));
          if (!this.#allowRestart()) return;
        }
      }
    }
  }

  /** OTP's shutdown/2: unlink, `shutdown` (or `kill`), wait up to the child's timeout, then kill. */
  async #shutdownChild(c: Child): Promise<Term> {
    const pid = c.pid;
    if (pid === undefined) return A.noproc;
    c.pid = undefined;
    const node = this.process.node;
    // OTP supervisor shutdown/2: monitor first (a remote child through a monitor of its own).
    const done = pid.node === node.name ? node.wait(pid) : node.monitor(pid).down.then((d) => d.reason);
    this.process.unlink(pid);
    const sd = c.spec.shutdown ?? (c.spec.type === 'supervisor' ? 'infinity' : 5000);
    try {
      this.process.sendExit(pid, sd === 'brutal_kill' ? A.kill : A.shutdown);
    } catch {
      return A.noproc;
    }
    if (sd === 'brutal_kill' || sd === 'infinity') return done;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = await Promise.race([done.then(() => false), new Promise<boolean>((r) => (timer = setTimeout(() => r(true), sd)))]);
    clearTimeout(timer);
    if (!late) return done;
    this.log.warning('child %s (%s) did not stop within %d ms: killing it', c.spec.id, String(pid), sd);
    try {
      this.process.sendExit(pid, A.kill);
    } catch {
      // already gone
    }
    return done;
  }

  async #stopAll(): Promise<void> {
    this.#stopping = true;
    if (this.#template !== undefined) {
      // OTP: simple_one_for_one instances have no order; all are asked at once, each then
      // waited for up to the shutdown time (one after the other would take N × shutdown).
      await Promise.all(this.#children.map((c) => this.#shutdownChild(c)));
      return;
    }
    for (const c of [...this.#children].reverse()) if (c.pid !== undefined) await this.#shutdownChild(c);
  }

  override async terminate(_reason: Term): Promise<void> {
    if (!this.#stopping) await this.#stopAll();
  }

  override async handleCall(request: unknown, from: From): Promise<unknown> {
    if (!(request instanceof SupRequest)) return super.handleCall(request, from);
    try {
      return await this.#request(request);
    } catch (e) {
      this.replyError(from, e instanceof RuntimeError ? e.reason : reasonFrom(e, ''));
      return replyLater;
    }
  }

  async #request(r: SupRequest): Promise<unknown> {
    switch (r.op) {
      case 'which':
        return this.#children.map<ChildInfo>((c) => ({ id: c.spec.id, pid: c.pid, type: c.spec.type ?? 'worker', restart: c.spec.restart ?? 'permanent' }));
      case 'count': {
        const workers = this.#children.filter((c) => (c.spec.type ?? 'worker') === 'worker').length;
        return { specs: this.#children.length, active: this.#children.filter((c) => c.pid !== undefined).length, workers, supervisors: this.#children.length - workers };
      }
      case 'start': {
        if (this.#template !== undefined) {
          const child: Child = { spec: this.#template, pid: undefined, extra: (r.arg as unknown[]) ?? [] };
          child.pid = await this.#startOrFail(child);
          this.#children.push(child);
          return child.pid;
        }
        const spec = r.arg as ChildSpec;
        validate(spec);
        if (this.#children.some((c) => c.spec.id === spec.id)) throw new RuntimeError(ErrCode.ChildExist, `child ${spec.id} exists`, { reason: atom('already_present') });
        const child: Child = { spec, pid: undefined, extra: [] };
        child.pid = await this.#startOrFail(child);
        this.#children.push(child);
        return child.pid;
      }
      case 'terminate': {
        const c = this.#find(r.arg);
        if (c.pid !== undefined) await this.#shutdownChild(c);
        if (this.#template !== undefined || (c.spec.restart ?? 'permanent') === 'temporary') this.#children.splice(this.#children.indexOf(c), 1);
        return A.ok;
      }
      case 'restart': {
        const c = this.#find(r.arg);
        if (c.pid !== undefined) throw new RuntimeError(ErrCode.ChildExist, `child ${c.spec.id} is running`, { reason: atom('running') });
        c.pid = await this.#startOrFail(c);
        return c.pid;
      }
      case 'delete': {
        const c = this.#find(r.arg);
        if (c.pid !== undefined) throw new RuntimeError(ErrCode.ChildExist, `child ${c.spec.id} is running`, { reason: atom('running') });
        this.#children.splice(this.#children.indexOf(c), 1);
        return A.ok;
      }
    }
  }

  async #startOrFail(c: Child): Promise<Pid> {
    try {
      return await this.#startChild(c);
    } catch (e) {
      throw new RuntimeError(ErrCode.ChildStart, `child ${c.spec.id} failed to start`, { reason: e instanceof RuntimeError ? e.reason : reasonFrom(e, c.spec.id), cause: e });
    }
  }

  #find(idOrPid: unknown): Child {
    const c = this.#children.find((c) => (typeof idOrPid === 'string' ? c.spec.id === idOrPid : c.pid !== undefined && c.pid.equals(idOrPid)));
    if (c === undefined) throw new RuntimeError(ErrCode.ChildUnknown, `no child ${String(idOrPid)}`, { reason: atom('not_found') });
    return c;
  }

  // ------------------------------------------------------------- client API

  /** Add a child (or, for simple_one_for_one, start one with `extraArgs`); resolves with its pid. */
  static startChild(caller: Process | Node, sup: Target, specOrArgs: ChildSpec | unknown[]): Promise<Pid> {
    return caller.call(sup, new SupRequest('start', specOrArgs), { timeout: Infinity }) as Promise<Pid>;
  }
  /** Stop a child by id (or pid for simple_one_for_one); the spec stays unless temporary. */
  static async terminateChild(caller: Process | Node, sup: Target, idOrPid: string | Pid): Promise<void> {
    await caller.call(sup, new SupRequest('terminate', idOrPid), { timeout: Infinity });
  }
  static restartChild(caller: Process | Node, sup: Target, id: string): Promise<Pid> {
    return caller.call(sup, new SupRequest('restart', id), { timeout: Infinity }) as Promise<Pid>;
  }
  static async deleteChild(caller: Process | Node, sup: Target, id: string): Promise<void> {
    await caller.call(sup, new SupRequest('delete', id));
  }
  static whichChildren(caller: Process | Node, sup: Target): Promise<ChildInfo[]> {
    return caller.call(sup, new SupRequest('which', undefined)) as Promise<ChildInfo[]>;
  }
  static countChildren(caller: Process | Node, sup: Target): Promise<{ specs: number; active: number; workers: number; supervisors: number }> {
    return caller.call(sup, new SupRequest('count', undefined)) as Promise<{ specs: number; active: number; workers: number; supervisors: number }>;
  }
}

function validate(c: ChildSpec): void {
  if (!c.id) throw new RuntimeError(ErrCode.Incorrect, 'child spec without id');
  if (c.significant && (c.restart ?? 'permanent') === 'permanent') {
    throw new RuntimeError(ErrCode.Incorrect, `child ${c.id}: a significant child cannot be permanent`);
  }
}

function reasonFrom(e: unknown, id: string): Term {
  const r = e instanceof RuntimeError ? e.reason : tuple(A.error, String(e));
  return id === '' ? r : failedToStart(id, r);
}
