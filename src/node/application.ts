/**
 * Applications: a named group of processes started together, with an environment, a start
 * mode and dependencies (OTP's application, Ergo's `gen.ApplicationSpec`).
 *
 * Modes, when a member process terminates while the application runs:
 * - `temporary`: nothing happens to the others; the application is stopped once no member is left.
 * - `transient`: an abnormal reason (not `normal`/`shutdown`/`{shutdown,_}`) stops every member
 *   with `shutdown`, then the node (OTP; Ergo v3 stops only the application).
 * - `permanent`: any reason stops every member, then the node (OTP; Ergo v3: only the application).
 */
import { A, atom, type Atom, type Pid, type Term } from '../term/index.js';
import { Err, ErrCode, RuntimeError, isNormalExit, reasonText } from '../gen/index.js';
import type { Core } from './core.js';
import type { EnvScope } from './env.js';
import type { Factory, ProcessOptions } from './types.js';
import type { Node } from './node.js';

export type ApplicationMode = 'temporary' | 'transient' | 'permanent';
export type ApplicationState = 'loaded' | 'running' | 'stopping';

export interface ApplicationMember {
  factory: Factory;
  /** Register the member under this name. */
  name?: Atom | string;
  args?: unknown[];
  options?: ProcessOptions;
}

export interface ApplicationSpec {
  name: Atom | string;
  description?: string;
  version?: string;
  /** Applications that must run first; loaded ones are started automatically. */
  depends?: (Atom | string)[];
  env?: Record<string, unknown>;
  /** Started in order, stopped in reverse. */
  members: ApplicationMember[];
  /** The mode `applicationStart` uses when none is given; default `temporary`. */
  mode?: ApplicationMode;
}

/** What an application module implements. */
export interface ApplicationBehavior {
  /** Return the spec; called by `applicationLoad`. */
  load(node: Node, ...args: unknown[]): ApplicationSpec | Promise<ApplicationSpec>;
  /** After every member started. */
  start?(mode: ApplicationMode): void;
  /** After the last member stopped. */
  terminate?(reason: Term): void;
}

export interface ApplicationInfo {
  name: Atom;
  description: string;
  version: string;
  depends: Atom[];
  env: Record<string, unknown>;
  mode: ApplicationMode;
  state: ApplicationState;
  members: Pid[];
  /** Seconds since start (0 when not running). */
  uptime: number;
}

class App {
  state: ApplicationState = 'loaded';
  mode: ApplicationMode;
  members = new Map<string, Pid>();
  reason: Term | undefined = undefined;
  startedAt = 0;
  stopWaiters: (() => void)[] = [];
  env: EnvScope | undefined = undefined;
  constructor(
    readonly name: Atom,
    readonly spec: ApplicationSpec,
    readonly behavior: ApplicationBehavior,
  ) {
    this.mode = spec.mode ?? 'temporary';
  }
}

export class Applications {
  readonly #apps = new Map<Atom, App>();
  /** Running applications in start order. */
  readonly #order: Atom[] = [];
  readonly #core: Core;
  readonly #node: Node;

  constructor(core: Core, node: Node) {
    this.#core = core;
    this.#node = node;
    core.apps = { memberDown: (app, pid, reason) => this.#memberDown(app, pid, reason) };
  }

  async load(behavior: ApplicationBehavior, args: unknown[]): Promise<Atom> {
    const spec = await behavior.load(this.#node, ...args);
    if (!spec.name) throw new RuntimeError(ErrCode.ApplicationName, 'application spec has no name');
    const name = typeof spec.name === 'string' ? atom(spec.name) : spec.name;
    if (this.#apps.has(name)) throw new RuntimeError(ErrCode.ApplicationName, `application ${name.name} is already loaded`);
    if (spec.members.length === 0) throw new RuntimeError(ErrCode.ApplicationEmpty, `application ${name.name} has no members`);
    this.#apps.set(name, new App(name, spec, behavior));
    return name;
  }

  unload(name: Atom): void {
    const app = this.#get(name);
    if (app.state !== 'loaded') throw new RuntimeError(ErrCode.ApplicationState, `application ${name.name} is ${app.state}`);
    this.#apps.delete(name);
  }

  async start(name: Atom, mode: ApplicationMode | undefined, env: Record<string, unknown> | undefined, visiting = new Set<Atom>()): Promise<void> {
    const app = this.#get(name);
    if (app.state !== 'loaded') throw new RuntimeError(ErrCode.ApplicationState, `application ${name.name} is ${app.state}`);
    if (visiting.has(name)) throw new RuntimeError(ErrCode.ApplicationDepends, `dependency cycle through ${name.name}`);
    visiting.add(name);
    for (const d of app.spec.depends ?? []) {
      const dep = typeof d === 'string' ? atom(d) : d;
      const da = this.#apps.get(dep);
      if (da === undefined) throw new RuntimeError(ErrCode.ApplicationDepends, `${name.name} depends on ${dep.name}, which is not loaded`);
      if (da.state === 'running') continue;
      try {
        await this.start(dep, undefined, undefined, visiting);
      } catch (e) {
        throw new RuntimeError(ErrCode.ApplicationDepends, `${name.name}: dependency ${dep.name} failed: ${String(e)}`, { cause: e });
      }
    }
    visiting.delete(name);
    app.mode = mode ?? app.spec.mode ?? 'temporary';
    app.env = this.#core.env.appScope({ ...app.spec.env, ...env });
    app.state = 'running';
    app.reason = undefined;
    app.startedAt = Date.now();
    app.members.clear();
    this.#order.push(name);
    for (const m of app.spec.members) {
      try {
        const reg = m.name === undefined ? undefined : typeof m.name === 'string' ? atom(m.name) : m.name;
        const pid = await this.#core.spawner.spawn(undefined, m.factory, { ...m.options, args: m.args ?? [] }, reg, { app: { name, env: app.env } });
        if (app.state !== 'running') throw Err.notAllowed(`application ${name.name} stopped while starting`);
        app.members.set(String(pid), pid);
      } catch (e) {
        app.state = 'stopping';
        await this.#stopMembers(app, A.shutdown, 5000);
        this.#done(app, A.shutdown, false);
        throw e;
      }
    }
    app.behavior.start?.(app.mode);
    this.#core.log.info('application %s started (%s)', name.name, app.mode);
  }

  async stop(name: Atom, timeout: number): Promise<void> {
    const app = this.#get(name);
    if (app.state === 'loaded') throw new RuntimeError(ErrCode.ApplicationState, `application ${name.name} is not running`);
    if (app.state === 'stopping') {
      await new Promise<void>((r) => app.stopWaiters.push(r));
      return;
    }
    app.state = 'stopping';
    app.reason = A.shutdown;
    const ok = await this.#stopMembers(app, A.shutdown, timeout);
    if (app.members.size === 0) this.#done(app, A.shutdown, true);
    if (!ok) throw new RuntimeError(ErrCode.ApplicationStopping, `application ${name.name} did not stop within ${timeout} ms`);
  }

  /** Stop every running application, newest first. */
  async stopAll(timeout: number): Promise<void> {
    for (const name of [...this.#order].reverse()) {
      const app = this.#apps.get(name);
      if (app === undefined || app.state !== 'running') continue;
      try {
        await this.stop(name, timeout);
      } catch (e) {
        this.#core.log.warning('stopping application %s: %s', name.name, String(e));
      }
    }
  }

  /** Send `shutdown` to members newest first, each awaited; kill what is left at the deadline. */
  async #stopMembers(app: App, reason: Term, timeout: number): Promise<boolean> {
    const deadline = Date.now() + timeout;
    let ok = true;
    for (const pid of [...app.members.values()].reverse()) {
      const p = this.#core.process(pid);
      if (p === undefined) continue;
      const done = this.#core.wait(pid);
      this.#core.exitSignal(p, this.#core.pid, 'process', reason, 'one-way');
      const left = deadline - Date.now();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = await Promise.race([done.then(() => false), new Promise<boolean>((r) => (timer = setTimeout(() => r(true), Math.max(0, left))))]);
      clearTimeout(timer);
      if (late) {
        ok = false;
        this.#core.exitSignal(p, this.#core.pid, 'process', A.kill, 'exit2');
        await done;
      }
    }
    return ok;
  }

  #memberDown(name: Atom, pid: Pid, reason: Term): void {
    const app = this.#apps.get(name);
    if (app === undefined || !app.members.delete(String(pid))) return;
    if (app.state === 'running') {
      const stopNode = app.mode === 'permanent' || (app.mode === 'transient' && !isNormalExit(reason));
      if (stopNode) {
        this.#core.log.info('application %s (%s) stops: member %s exited with %s', name.name, app.mode, String(pid), reasonText(reason));
        app.state = 'stopping';
        app.reason = reason;
        void this.#stopMembers(app, A.shutdown, 5000).then(() => {
          this.#core.log.warning('node stops: %s application %s terminated with %s', app.mode, name.name, reasonText(reason));
          void this.#node.stop();
        });
        return;
      }
    }
    if (app.members.size === 0) this.#done(app, app.reason ?? A.normal, true);
  }

  #done(app: App, reason: Term, callTerminate: boolean): void {
    if (app.state === 'loaded') return;
    app.state = 'loaded';
    const i = this.#order.indexOf(app.name);
    if (i >= 0) this.#order.splice(i, 1);
    this.#core.log.info('application %s stopped: %s', app.name.name, reasonText(reason));
    if (callTerminate) {
      try {
        app.behavior.terminate?.(reason);
      } catch (e) {
        this.#core.log.error('application %s terminate failed: %s', app.name.name, String(e));
      }
    }
    const w = app.stopWaiters;
    app.stopWaiters = [];
    for (const f of w) f();
  }

  info(name: Atom): ApplicationInfo {
    const app = this.#get(name);
    return {
      name,
      description: app.spec.description ?? '',
      version: app.spec.version ?? '',
      depends: (app.spec.depends ?? []).map((d) => (typeof d === 'string' ? atom(d) : d)),
      env: this.#core.env.flatten(app.env ?? this.#core.env.appScope(app.spec.env)),
      mode: app.mode,
      state: app.state,
      members: [...app.members.values()],
      uptime: app.state === 'running' ? Math.floor((Date.now() - app.startedAt) / 1000) : 0,
    };
  }

  list(): Atom[] {
    return [...this.#apps.keys()];
  }

  running(): Atom[] {
    return [...this.#order];
  }

  #get(name: Atom): App {
    const app = this.#apps.get(name);
    if (app === undefined) throw new RuntimeError(ErrCode.ApplicationUnknown, `unknown application ${name.name}`);
    return app;
  }
}

