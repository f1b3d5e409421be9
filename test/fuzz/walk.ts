/** Visits every subterm of `t` (map keys and values, fun free variables, record values) without recursion. */
import { Fun, ImproperList, NativeRecord, TermMap, Tuple, type Term } from '../../src/term/index.js';

export function walk(t: Term, visit: (x: Term) => void): void {
  const todo: Term[] = [t];
  while (todo.length > 0) {
    const x = todo.pop()!;
    visit(x);
    if (Array.isArray(x)) for (const e of x as readonly Term[]) todo.push(e);
    else if (x instanceof Tuple) for (const e of x.elements) todo.push(e);
    else if (x instanceof TermMap) for (const [k, v] of x) todo.push(k, v);
    else if (x instanceof ImproperList) todo.push(...x.head, x.tail);
    else if (x instanceof Fun) todo.push(...x.freeVars);
    else if (x instanceof NativeRecord) todo.push(...x.values);
  }
}
