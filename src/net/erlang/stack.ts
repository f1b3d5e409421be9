/**
 * The Erlang distribution stack as the node's network manager runs it ({@link NetworkStack},
 * src/gen/network.ts): a {@link DistEndpoint} (listener, EPMD registration or an embedded
 * EPMD, handshakes) whose connections become {@link Peer}s, plus the services every node
 * answers (net_kernel, rex, erpc, group-leader io) and the rpc functions BEAM may call.
 *
 * ```ts
 * const node = await Node.start({ name: 'ts@127.0.0.1', cookie: 'secret', erlang: true });
 * ErlangStack.of(node)!.registerRpc('ts', 'add', ([a, b]) => (a as number) + (b as number));
 * await ErlangStack.of(node)!.rpc('beam@127.0.0.1', 'erlang', 'node', []);
 * ```
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Atom, atom } from '../../term/atom.js';
import { Pid, Ref, type Creation } from '../../term/ids.js';
import type { Term } from '../../term/types.js';
import { Err, ErrCode, RuntimeError, type NetworkStack, type NodeInbound, type Route, type StackContext } from '../../gen/index.js';
import { DistEndpoint, type EndpointOptions } from './endpoint.js';
import { PeerInbound } from './peer-inbound.js';
import { Peer, type PeerHost, type RpcOptions } from './peer.js';
import { Services, type RpcFunction } from './services.js';

/**
 * Options of the Erlang stack: those of the endpoint (src/net/erlang/endpoint.ts) without the
 * ones the node provides (its name, the handler), plus rpc functions.
 */
export interface ErlangStackOptions extends Omit<EndpointOptions, 'name' | 'handler' | 'cookie' | 'creation'> {
  /**
   * The distribution cookie (or one per peer node). Default: the node's `cookie` option, else
   * `~/.erlang.cookie` as `erl` reads it, else a random one (as `erl` would create).
   */
  cookie?: string | ((node: string) => string);
  /** Functions BEAM reaches with `rpc:call` / `erpc:call`, keyed `'module:function'`. */
  rpc?: Record<string, RpcFunction>;
}

const stacks = new WeakMap<NodeInbound, ErlangStack>();

/** `~/.erlang.cookie`, as erl reads it, or undefined. */
function cookieFile(): string | undefined {
  try {
    const c = readFileSync(join(homedir(), '.erlang.cookie'), 'utf8').trim();
    return c === '' ? undefined : c;
  } catch {
    return undefined;
  }
}

function noConnection(node: Atom, cause: unknown): RuntimeError {
  const code = (cause as { code?: string }).code;
  return new RuntimeError(ErrCode.NoConnection, `cannot connect to ${node.name}: ${code ? `${code}: ` : ''}${(cause as Error).message}`, { cause });
}

/** A creation EPMD-less nodes can use: the node's, when it fits 32 bits. */
function u32Creation(c: Creation): number | undefined {
  return typeof c === 'number' && Number.isInteger(c) && c > 3 && c <= 0xffff_ffff ? c : undefined;
}

export class ErlangStack implements NetworkStack {
  readonly protocol = 'erlang';
  readonly #opts: ErlangStackOptions;
  readonly #defaultCookie: string | undefined;
  /** Cookies given by static routes, per node. */
  readonly #routeCookies = new Map<string, string>();
  #ctx: StackContext | undefined;
  #ep: DistEndpoint | undefined;
  readonly #rpc = new Map<string, RpcFunction>();
  #refs = 0;
  readonly #salt = (((Math.random() * 0x1_0000_0000) >>> 0) & ~1) >>> 0;
  #nodePid: Pid | undefined;

  /**
   * @param options the stack's options (`true` in `NodeOptions.erlang` means all defaults)
   * @param defaults what the node's options say for every stack (its shared `cookie`)
   */
  constructor(options: ErlangStackOptions = {}, defaults: { cookie?: string } = {}) {
    this.#opts = options;
    this.#defaultCookie = defaults.cookie;
    for (const [k, f] of Object.entries(options.rpc ?? {})) this.#rpc.set(k, f);
  }

  /** The Erlang stack a started node runs (undefined if it has none). */
  static of(node: { readonly inbound: NodeInbound }): ErlangStack | undefined {
    return stacks.get(node.inbound);
  }

  /** The endpoint, once started: port, creation, embedded EPMD, live distribution connections. */
  get endpoint(): DistEndpoint | undefined {
    return this.#ep;
  }

  /** Let BEAM call `fn` as `module:function` (`rpc:call(TsNode, Module, Function, Args)`). */
  registerRpc(module: string | Atom, fn: string | Atom, f: RpcFunction): void {
    this.#rpc.set(`${typeof module === 'string' ? module : module.name}:${typeof fn === 'string' ? fn : fn.name}`, f);
  }

  unregisterRpc(module: string | Atom, fn: string | Atom): void {
    this.#rpc.delete(`${typeof module === 'string' ? module : module.name}:${typeof fn === 'string' ? fn : fn.name}`);
  }

  /**
   * Call `module:fn(args…)` on a BEAM node (through erpc, as `erpc:call/5` does), connecting
   * first if needed. Resolves with the result; rejects `ERR_CALL_FAILED` (reason `{throw, T}`,
   * `{exit, R}`, `{error, R, Stack}`), `ERR_TIMEOUT` (default 5000 ms) or `ERR_NO_CONNECTION`.
   */
  async rpc(node: string | Atom, module: string | Atom, fn: string | Atom, args: readonly Term[], options?: RpcOptions): Promise<Term> {
    const peer = await this.#peer(typeof node === 'string' ? atom(node) : node);
    return peer.rpc(typeof module === 'string' ? atom(module) : module, typeof fn === 'string' ? atom(fn) : fn, args, options);
  }

  /**
   * The OTP major release of a connected (or reachable) BEAM node, asked once per connection;
   * undefined when it cannot be learned.
   */
  async otpRelease(node: string | Atom): Promise<number | undefined> {
    try {
      return await (await this.#peer(typeof node === 'string' ? atom(node) : node)).otpRelease();
    } catch {
      return undefined;
    }
  }

  async #peer(node: Atom): Promise<Peer> {
    const ep = this.#ep;
    if (ep === undefined) throw Err.noConnection(node.name, 'the Erlang stack is not started');
    try {
      const c = await ep.connect(node);
      return c.context as Peer;
    } catch (e) {
      throw noConnection(node, e);
    }
  }

  // ------------------------------------------------------------------ NetworkStack

  async start(ctx: StackContext): Promise<void> {
    this.#ctx = ctx;
    const o = this.#opts;
    const cookie = o.cookie ?? this.#defaultCookie ?? cookieFile() ?? randomBytes(15).toString('base64url').toUpperCase();
    const base = typeof cookie === 'function' ? cookie : () => cookie;
    // The rpc table is shared: registerRpc works before and after start.
    const services = new Services(ctx.inbound, ctx.log, () => this.#pid(), this.#rpc);
    const pid = (): Pid => this.#pid();
    const host: PeerHost = {
      inbound: ctx.inbound,
      log: ctx.log,
      get nodePid() {
        return pid();
      },
      makeRef: () => this.#makeRef(),
    };
    const handler = new PeerInbound(host, ctx, services);
    const { rpc: _rpc, cookie: _c, onError, ...rest } = o;
    this.#ep = await DistEndpoint.start({
      ...rest,
      name: ctx.name.name,
      creation: u32Creation(ctx.creation),
      cookie: (node: string) => this.#routeCookies.get(node) ?? base(node),
      handler,
      onError: (e) => {
        ctx.log?.warning('erlang: %s', `${(e as { code?: string }).code ?? e.name}: ${e.message}`);
        onError?.(e);
      },
    });
    if (this.#ep.creation !== ctx.creation) ctx.setCreation(this.#ep.creation);
    stacks.set(ctx.inbound, this);
    ctx.log?.info('erlang: %s listening on port %d (%s)', ctx.name.name, this.#ep.port, this.#ep.embeddedEpmd ? 'embedded EPMD' : o.epmd === false ? 'no EPMD' : 'EPMD');
  }

  async stop(): Promise<void> {
    if (this.#ctx !== undefined) stacks.delete(this.#ctx.inbound);
    await this.#ep?.stop();
    this.#ep = undefined;
  }

  async resolve(node: Atom): Promise<Route | undefined> {
    if (this.#ep === undefined) return undefined;
    try {
      const w = await this.#ep.resolve(node);
      return { host: w.host, port: w.port };
    } catch {
      return undefined;
    }
  }

  async connect(node: Atom, route: Route): Promise<Peer> {
    const ep = this.#ep;
    if (ep === undefined) throw Err.noConnection(node.name, 'the Erlang stack is not started');
    if (typeof route.cookie === 'string') this.#routeCookies.set(node.name, route.cookie);
    try {
      const c = await ep.connect(node, { host: route.host, port: route.port });
      return c.context as Peer;
    } catch (e) {
      // The contract's connect fails with ERR_NO_CONNECTION; the handshake's typed error is the cause.
      throw noConnection(node, e);
    }
  }

  // ------------------------------------------------------------------ ids the stack makes

  /** The node's own pid (runtime-semantics §1: `Pid(node, 1, 0, creation)`). */
  #pid(): Pid {
    const ep = this.#ep;
    const ctx = this.#ctx!;
    const creation = ep?.creation ?? ctx.creation;
    if (this.#nodePid === undefined || this.#nodePid.creation !== creation) this.#nodePid = new Pid(ctx.name, 1, 0, creation);
    return this.#nodePid;
  }

  /** References of the stack's own: an even third word, where the node's are odd. */
  #makeRef(): Ref {
    const n = ++this.#refs;
    const ctx = this.#ctx!;
    return new Ref(ctx.name, this.#ep?.creation ?? ctx.creation, [n % 0x1_0000_0000, Math.floor(n / 0x1_0000_0000), this.#salt]);
  }
}

export type { RpcFunction, RpcCall } from './services.js';
export type { RpcOptions } from './peer.js';
