import { describe, expect, it } from 'vitest';
import { A, atom, ErgoError, tuple } from '../../src/term/index.js';
import { Err, ErrCode, exit, ExitReason, isNormalExit, reasonText, RuntimeError, TimeoutError } from '../../src/gen/index.js';

describe('error catalogue', () => {
  it('codes are unique, stable strings', () => {
    const codes = Object.values(ErrCode);
    expect(new Set(codes).size).toBe(codes.length);
    for (const c of codes) expect(c).toMatch(/^ERR_[A-Z_]+$/);
    expect(ErrCode.ProcessUnknown).toBe('ERR_PROCESS_UNKNOWN');
    expect(ErrCode.NoConnection).toBe('ERR_NO_CONNECTION');
    expect(ErrCode.MailboxFull).toBe('ERR_MAILBOX_FULL');
    expect(ErrCode.Timeout).toBe('ERR_TIMEOUT');
  });

  it('errors carry their code, class and reason term', () => {
    const e = Err.processUnknown('<x>');
    expect(e).toBeInstanceOf(RuntimeError);
    expect(e).toBeInstanceOf(ErgoError);
    expect(e.code).toBe(ErrCode.ProcessUnknown);
    expect(e.reason).toBe(A.noproc);
    expect(Err.noConnection('n@h').reason).toBe(A.noconnection);
    const t = Err.timeout('call');
    expect(t).toBeInstanceOf(TimeoutError);
    expect(t.reason).toBe(A.timeout);
    expect(new RuntimeError(ErrCode.Taken, 'x').reason).toBe(atom('taken'));
    expect(Err.callFailed(atom('bad')).reason).toBe(atom('bad'));
    const cause = new Error('inner');
    expect(Err.initFailed(A.normal, cause).cause).toBe(cause);
  });

  it('reason helpers', () => {
    expect(isNormalExit(A.normal)).toBe(true);
    expect(isNormalExit(A.shutdown)).toBe(true);
    expect(isNormalExit(tuple(A.shutdown, 1))).toBe(true);
    expect(isNormalExit(A.killed)).toBe(false);
    expect(isNormalExit(tuple(A.error, 'x'))).toBe(false);
    expect(reasonText(tuple(A.shutdown, atom('x')))).toBe('{shutdown,x}');
    expect(exit(A.normal)).toBeInstanceOf(ExitReason);
    expect(exit(A.normal).reason).toBe(A.normal);
  });
});
