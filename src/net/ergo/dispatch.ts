/**
 * Inbound frames to the node (ergo connection.go handleRecvQueue): each decoded frame becomes
 * one call on the {@link ErgoInbound}; important deliveries are acknowledged with what the
 * node returned; answers to our own requests settle them instead of reaching the node.
 */
import { Proto } from '../../codec/edf/index.js';
import { Ref } from '../../term/ids.js';
import { Event, ProcessID } from '../../term/names.js';
import type { ErgoConnection } from './connection.js';
import { EnpFlag, type Priority } from './constants.js';
import type { EnpFrame } from './frames.js';
import type { ErgoInbound } from './inbound.js';
import { dispatchAny, type AnyRequest } from './requests.js';

export function dispatchFrame(conn: ErgoConnection, h: ErgoInbound, f: EnpFrame): void {
  switch (f.type) {
    case 101:
    case 102:
    case 103:
    case 104: {
      const r = h.send(f.from, f.to, f.message, (f.flags & 3) as Priority, conn);
      if (f.flags & EnpFlag.IMPORTANT && conn.local.flags.EnableImportantDelivery) {
        // Always acknowledged: from the target pid for 101 and from none otherwise, ref [msgid,0,0].
        const ref = new Ref(conn.local.name, conn.local.creation, [Number(f.msgId & 0xffffffffn), Number(f.msgId >> 32n), 0, 0, 0, 0]);
        conn.ack(f.type === 101 ? f.to : null, f.from, ref, r ?? null, f.flags & 3);
      }
      return;
    }
    case 121:
    case 122:
    case 123:
    case 124: {
      const r = h.call(f.from, f.to, f.ref, f.message, (f.flags & 3) as Priority, conn);
      // A delivered call is confirmed by its answer; only a failure is acknowledged now.
      if (r !== undefined && f.flags & EnpFlag.IMPORTANT && conn.local.flags.EnableImportantDelivery) conn.ack(f.type === 121 ? f.to : null, f.from, f.ref, r, f.flags & 3);
      return;
    }
    case 129:
      if (!conn.settle(f.ref, { error: null, result: f.message })) h.response(f.from, f.to, f.ref, f.message, conn);
      return;
    case 130:
      if (!conn.settle(f.ref, { error: f.error, result: null }) && f.error !== null) h.responseError(f.from, f.to, f.ref, f.error, conn);
      return;
    case 105:
    case 106:
      h.event(f.from, new Event(f.event, conn.peer), f.timestamp, f.message, (f.priority & 3) as Priority, conn);
      return;
    case 107:
      h.exit(f.from, f.to, f.reason, conn);
      return;
    case 181:
    case 184:
      h.terminate(f.target, f.reason, conn);
      return;
    case 182:
    case 183:
      h.terminate(new ProcessID(f.target, conn.peer), f.reason, conn);
      return;
    case 185:
    case 186:
      h.terminate(new Event(f.target, conn.peer), f.reason, conn);
      return;
    case 199: {
      const m = f.message;
      if (m instanceof Proto.MessageResult) conn.settle(m.Ref, { error: m.Error, result: m.Result });
      else dispatchAny(conn, h, m as AnyRequest, (e) => conn.reportLinkError(e));
      return;
    }
    case 200:
      return;
  }
}
