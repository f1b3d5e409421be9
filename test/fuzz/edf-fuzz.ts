export interface EdfFuzzResult { inputs: number; ms: number; counts: Record<string, number>; failures: { kind: string; hex: string; detail: string }[]; slowestNsPerByte: number }
export function fuzzEdf(_o: { seed: number; inputs?: number; ms?: number }): EdfFuzzResult {
  return { inputs: 0, ms: 0, counts: {}, failures: [], slowestNsPerByte: 0 };
}
