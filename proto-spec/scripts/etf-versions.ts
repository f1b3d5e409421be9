/**
 * Runs every ETF vector (proto-spec/vectors/etf/*.json) through every available OTP release
 * (test/support/otp.ts) and writes proto-spec/vectors/etf/versions.json: per release, the
 * cases where that VM's answer differs from what the vector file states — refused where the
 * file says valid (or the reverse), or `term_to_binary(T, [{minor_version,2}, deterministic])`
 * bytes other than the case's canonical (or re-encoded) bytes. The ETF vector suite checks
 * our codec against every recorded release; the live suite checks the record is still true.
 *
 *   npx tsx proto-spec/scripts/etf-versions.ts
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EtfOracle } from '../../test/fuzz/oracle.js';
import { otpReleases } from '../../test/support/otp.js';

const dir = join(import.meta.dirname, '../vectors/etf');

export interface VersionDiff {
  /** Present when the release refuses a valid case or accepts an invalid one. */
  accepted?: boolean;
  /** The release's bytes when they are not the case's own. */
  det?: string;
}

export interface VersionsFile {
  generator: string;
  releases: { otp: string; version: string; differs: Record<string, VersionDiff> }[];
}

interface Case {
  name: string;
  hex: string;
  error?: boolean;
  canonical?: boolean;
  reencoded?: string;
}

const cases: Case[] = [];
for (const f of readdirSync(dir).filter((n) => n.endsWith('.json') && n !== 'versions.json').sort()) {
  const text = readFileSync(join(dir, f), 'utf8');
  // Line per case; read the fields without JSON.parse of the 10,000-deep terms in large.json.
  for (const line of text.split('\n')) {
    const name = /"name":\s*"((?:[^"\\]|\\.)*)"/.exec(line)?.[1];
    const hex = /"hex":\s*"([0-9a-f]*)"/.exec(line)?.[1];
    if (name === undefined || hex === undefined) continue;
    cases.push({
      name: JSON.parse(`"${name}"`) as string,
      hex,
      error: /"error":\s*true/.test(line),
      canonical: !/"canonical":\s*false/.test(line),
      reencoded: /"reencoded":\s*"([0-9a-f]*)"/.exec(line)?.[1],
    });
  }
}

const out: VersionsFile = { generator: 'proto-spec/scripts/etf-versions.ts', releases: [] };
for (const otp of otpReleases()) {
  const oracle = new EtfOracle(otp);
  const answers = await oracle.decode(cases.map((c) => Uint8Array.from(Buffer.from(c.hex, 'hex'))));
  await oracle.close();
  const differs: Record<string, VersionDiff> = {};
  cases.forEach((c, i) => {
    const a = answers[i]!;
    if (a.ok === !!c.error) differs[c.name] = { accepted: a.ok };
    if (!a.ok || c.error) return;
    const expected = c.canonical ? c.hex : c.reencoded;
    const det = Buffer.from(a.det).toString('hex');
    if (det !== expected) differs[c.name] = { ...differs[c.name], det };
  });
  out.releases.push({ otp: otp.release, version: otp.version, differs });
  console.log(`${otp.label}: ${cases.length} cases, ${Object.keys(differs).length} differ from the files`);
}
writeFileSync(join(dir, 'versions.json'), JSON.stringify(out, null, 1) + '\n');
