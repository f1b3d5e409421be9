/**
 * Spawning: a behaviour from its factory, the process's options, `init` (sync or async) and
 * what follows it — `linkParent`, a failure's cleanup (no `terminate`, as OTP and Ergo) — plus
 * spawning for a remote requester (allow-listed) and on a remote node.
 */
import { A, Atom, atom, type Pid } from '../term/index.js';
import { Err, isNormalExit, reasonText, type RuntimeError, type SpawnRequest } from '../gen/index.js';
import { ExitReason } from '../gen/index.js';
import { Tuple } from '../term/index.js';
import { F, ProcessImpl, S } from './process.js';
import { LogLevel } from './log.js';
import type { EnvScope } from './env.js';
import type { Core } from './core.js';
import type { Factory, ProcessBehavior, ProcessOptions, RemoteSpawnName, RemoteSpawnOptions, SpawnOptions } from './types.js';

/** Thrown values that are already reasons. */
function isReasonTerm(e: unknown): boolean {
  return e instanceof Atom || e instanceof Tuple || e instanceof ExitReason;
}

export class Spawner {
  readonly #core: Core;

  constructor(core: Core) {
    this.#core = core;
  }

  spawn(
    parent: ProcessImpl | undefined,
    factory: Factory,
    options: SpawnOptions | undefined,
    register: Atom | undefined,
    extra?: { app?: { name: Atom; env: EnvScope }; parent?: Pid; leader?: Pid },
  ): Promise<Pid> {
    if (this.#core.stopping) return Promise.reject(Err.nodeTerminated());
    if (register !== undefined && this.#core.names.has(register)) return Promise.reject(Err.taken(register.name));
    let behavior: ProcessBehavior;
    try {
      behavior = instantiate(factory);
    } catch (e) {
      return Promise.reject(e);
    }
    const parentPid = extra?.parent ?? (parent === undefined ? this.#core.pid : parent.pid);
    const leader = options?.leader ?? extra?.leader ?? (parent === undefined ? this.#core.pid : parent.leader);
    const p = new ProcessImpl(this.#core, this.#core.ids.newPid(), behavior, parentPid, leader, this.#core.uptime());
    const app = extra?.app;
    const inherited = app !== undefined ? app.env : parent?.x?.env;
    if (inherited !== undefined) p.ext().env = inherited;
    if (options !== undefined) this.#applyOptions(p, parent, options);
    if (parent?.x?.app !== undefined) p.ext().app = parent.x.app;
    if (app !== undefined) {
      const x = p.ext();
      x.app = app.name;
      x.appMember = true;
    }
    if (parent !== undefined && parent.x?.logLevel !== undefined && p.x?.logLevel === undefined) p.ext().logLevel = parent.x.logLevel;
    this.#core.admit(p);
    if (register !== undefined) this.#core.names.register(register, p);
    if (parent !== undefined) parent.nOut++;
    let r: unknown;
    try {
      r = behavior.processInit(p, options?.args ?? []);
    } catch (e) {
      return Promise.reject(this.#initFailed(p, e));
    }
    if (r !== undefined && typeof (r as PromiseLike<unknown>).then === 'function') {
      return new Promise<Pid>((resolve, reject) => {
        p.ext().init = { resolve, reject };
        (r as PromiseLike<unknown>).then(
          () => {
            if (p.x) p.x.init = undefined;
            if (p.st === S.Terminated) return;
            try {
              resolve(this.#initDone(p, parent));
            } catch (e) {
              reject(e);
            }
          },
          (e: unknown) => {
            if (p.x) p.x.init = undefined;
            if (p.st === S.Terminated) return;
            reject(this.#initFailed(p, e));
          },
        );
      });
    }
    try {
      return Promise.resolve(this.#initDone(p, parent));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  #applyOptions(p: ProcessImpl, parent: ProcessImpl | undefined, o: ProcessOptions): void {
    if (o.mailboxSize !== undefined && o.mailboxSize > 0) p.ext().mailboxLimit = o.mailboxSize;
    if (o.fallback !== undefined) {
      const name = typeof o.fallback.name === 'string' ? atom(o.fallback.name) : o.fallback.name;
      p.ext().fallback = { name, tag: o.fallback.tag ?? '' };
    }
    if (o.sendPriority !== undefined && o.sendPriority !== 'normal') p.ext().priority = o.sendPriority;
    if (o.importantDelivery) p.flags |= F.Important;
    if (o.logLevel !== undefined) p.ext().logLevel = LogLevel[o.logLevel];
    if (o.env !== undefined) {
      const x = p.ext();
      x.env = this.#core.env.layer(o.env, p.x?.env ?? parent?.x?.env);
      x.ownEnv = true;
    }
    if (o.linkParent && parent !== undefined) p.ext().linkParent = true;
  }

  #initDone(p: ProcessImpl, parent: ProcessImpl | undefined): Pid {
    if (p.fatal !== undefined) {
      // An exit signal arrived during init: the process never started, so no terminate/1.
      const reason = p.fatal;
      p.fatal = undefined;
      this.#core.finalize(p, reason);
      throw Err.initFailed(reason);
    }
    if (p.x?.linkParent && parent !== undefined) {
      if (parent.st === S.Terminated || parent.st === S.Terminating) {
        this.#core.finalize(p, A.noproc);
        throw Err.initFailed(A.noproc);
      }
      this.#core.targets.link(p, parent.pid, 'two-way');
    }
    p.st = S.Sleep;
    if (p.mb !== undefined && p.mb.size() > 0) this.#core.sched.schedule(p);
    return p.pid;
  }

  #initFailed(p: ProcessImpl, e: unknown): RuntimeError {
    const reason = this.#core.reasonOf(e);
    if (!isReasonTerm(e) || !isNormalExit(reason)) {
      const stack = e instanceof Error && e.stack ? `\n${e.stack}` : '';
      this.#core.loggers.emitFor(p, 'error', 'init failed: %s%s', [reasonText(reason), stack]);
    }
    // OTP and Ergo alike: terminate/1 is not called when init fails.
    this.#core.finalize(p, reason);
    return Err.initFailed(reason, e);
  }

  /** Spawn for a remote requester (allow-listed), with Erlang's link/monitor options. */
  async spawnFor(req: SpawnRequest): Promise<Pid> {
    const factory = this.#core.spawns.resolve(req.parent.node, req.name);
    const opts: SpawnOptions = { args: req.args, ...(req.env === undefined ? {} : { env: { ...req.env } }) };
    const pid = await this.spawn(undefined, factory, opts, req.register, { parent: req.parent, leader: req.leader ?? req.parent });
    const p = this.#core.process(pid);
    if (p !== undefined) {
      if (req.link) this.#core.targets.remoteLink(req.parent, p, pid, 'two-way');
      if (req.monitor !== undefined) this.#core.targets.remoteMonitor(req.parent, p, pid, req.monitor);
    }
    return pid;
  }

  async remoteSpawn(p: ProcessImpl, node: Atom, name: RemoteSpawnName, o: RemoteSpawnOptions | undefined): Promise<Pid> {
    if (node === this.#core.name) throw Err.notAllowed('remoteSpawn on the local node: use spawn');
    const n =
      typeof name === 'string' ? atom(name) : name instanceof Atom ? name : { module: typeof name.module === 'string' ? atom(name.module) : name.module, function: typeof name.function === 'string' ? atom(name.function) : name.function };
    const reg = o?.register;
    const pid = await this.#core.connection(node).spawn(p.pid, {
      name: n,
      args: o?.args ?? [],
      parent: p.pid,
      leader: p.leader,
      register: typeof reg === 'string' ? atom(reg) : reg,
      link: o?.link === true,
    });
    // The peer made the link (Erlang SPAWN_REPLY flag, Ergo LinkParent): record our side.
    if (o?.link && p.st !== S.Terminated) this.#core.targets.remoteLink(pid, p, p.pid, 'two-way');
    return pid;
  }
}

/** A behaviour from a factory: a class implementing ProcessBehavior, or a function returning one. */
function instantiate(f: unknown): ProcessBehavior {
  if (typeof f !== 'function') {
    throw Err.incorrect(`spawn needs a behaviour class (extending Actor, GenServer, …) or a function returning a behaviour, not ${describe(f)}`);
  }
  const proto = (f as { prototype?: { processHandle?: unknown } }).prototype;
  let b: unknown;
  if (proto !== undefined && typeof proto.processHandle === 'function') b = new (f as new () => unknown)();
  else if (/^class[\s{]/.test(Function.prototype.toString.call(f))) {
    throw Err.incorrect(`${f.name || 'the class'} is not a behaviour: extend Actor, GenServer, Supervisor or Pool (or implement ProcessBehavior)`);
  } else b = (f as () => unknown)();
  const v = b as Partial<ProcessBehavior> | null | undefined;
  if (v === null || typeof v !== 'object' || typeof v.processInit !== 'function' || typeof v.processHandle !== 'function' || typeof v.processTerminate !== 'function') {
    throw Err.incorrect(`the spawn factory returned ${describe(b)}, not a behaviour (an Actor, GenServer, … instance)`);
  }
  return v as ProcessBehavior;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'object') return v.constructor?.name ? `a ${v.constructor.name}` : 'an object';
  return typeof v;
}

