/** What the node tells about its processes: `processList()`, `processInfo()`. */
import type { Core } from './core.js';
import { levelName } from './loggers.js';
import type { ProcessImpl } from './process.js';
import type { ProcessInfo, ProcessShortInfo } from './types.js';

export function shortInfo(core: Core, p: ProcessImpl): ProcessShortInfo {
  return {
    pid: p.pid,
    name: p.name,
    application: p.x?.app,
    behavior: p.behavior.constructor.name,
    state: p.state,
    mailbox: p.mb?.size() ?? 0,
    messagesIn: p.nIn,
    messagesOut: p.nOut,
    uptime: core.uptime() - p.born,
    parent: p.parent,
  };
}

export function processList(core: Core): ProcessShortInfo[] {
  const out: ProcessShortInfo[] = [];
  for (const p of core.processes()) out.push(shortInfo(core, p));
  return out;
}

export function processInfo(core: Core, p: ProcessImpl): ProcessInfo {
  const x = p.x;
  const mb = p.mb;
  const rel = core.targets.infoOf(p);
  return {
    ...shortInfo(core, p),
    leader: p.leader,
    queues: { urgent: mb?.q0?.length ?? 0, system: mb?.q1?.length ?? 0, main: mb?.q2?.length ?? 0, log: mb?.q3?.length ?? 0 },
    mailboxLimit: x?.mailboxLimit ?? 0,
    trapExit: p.trapExit,
    sendPriority: p.sendPriority,
    logLevel: levelName(p.logLevel()),
    env: core.env.flatten(x?.env ?? core.env.root),
    aliases: x?.aliases ? [...x.aliases.values()] : [],
    events: x?.events ? [...x.events] : [],
    links: rel.links,
    linksTo: rel.linksTo,
    monitors: rel.monitors,
    monitoredBy: rel.monitoredBy,
    linkedBy: rel.linkedBy,
  };
}
