/**
 * Prints the plain closing line `N passed, N failed, N skipped` after vitest's own summary,
 * so tools that read a run's last lines can count it without knowing vitest. Before it, one
 * line per reason tests were skipped for, when their titles say (`[skipped: …]` or
 * `— skipped: …`, e.g. a Go peer that cannot be built here): vitest's default reporter does
 * not print the titles of skipped tests.
 */
import type { Reporter, TestModule } from 'vitest/node';

export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    const reasons = new Map<string, number>();
    for (const m of modules) {
      for (const t of m.children.allTests()) {
        const s = t.result().state;
        if (s === 'passed') passed++;
        else if (s === 'failed') failed++;
        else {
          skipped++;
          const m = /\[skipped: ([^\]]*)\]|— skipped: (.*?)(?: > |$)/.exec(t.fullName);
          const why = m?.[1] ?? m?.[2];
          if (why !== undefined) reasons.set(why, (reasons.get(why) ?? 0) + 1);
        }
      }
      if (m.state() === 'failed' && [...m.children.allTests()].length === 0) failed++;
    }
    for (const [why, n] of reasons) process.stdout.write(`\nskipped ${n}: ${why}`);
    process.stdout.write(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
  }
}
