/**
 * # The network manager
 *
 * This folder is where a node meets other nodes. The contracts are in `src/gen/network.ts`;
 * the protocol stacks in `src/net/ergo` (registrar / EHS / ENP) and `src/net/erlang` (EPMD /
 * handshake / DIST) implement `NetworkStack` and plug in here:
 *
 * ```ts
 * const node = await Node.start({
 *   name: 'ts@127.0.0.1',
 *   router: new NetworkManager({ stacks: [ergoStack, erlangStack], routes: [{ match: /^beam/, protocol: 'erlang' }] }),
 * });
 * ```
 *
 * What lives here (manager.ts):
 * - **stacks**: each started with the node (its acceptor, its registrar or EPMD client — which
 *   may set the node's creation before the first pid) and stopped after the node's processes;
 * - **routes**: per node, a static route (name or pattern → protocol, and optionally where)
 *   first, else the first stack whose registrar resolves the name;
 * - **connect on first use**: `connection(node)` returns at once — the live connection, or a
 *   stand-in that queues every operation in order while it dials and replays them once up; a
 *   failed dial reports the node down, which fires links and monitors with `noconnection` and
 *   fails pending calls;
 * - **node up / down**: connections from either side (dialled or accepted) are registered once
 *   and reported through `NodeInbound.nodeUp` / `nodeDown`; `nodes()` lists them.
 *
 * What stays in the stacks: handshakes, framing, pools, atom caches, compression, their wire
 * mapping of the contract (proto-spec/runtime-semantics.md §6), write batching and
 * back-pressure (`Outbound.Busy`, `NodeInbound.writable`, `Delivery.Backlog`).
 */
export { NetworkManager, type NetworkManagerOptions, type StaticRoute } from './manager.js';
