/**
 * npm run bench:dedup-method -- --records ../shared/bench/synthetic/records.csv --out pairs.csv
 *
 * The detector's method alone, in memory, on a benchmark file: blocking, scoring, levels. Prints
 * candidate counts, pair completeness against the labels (when given) and the time of each stage;
 * score the pairs with ../shared/bench/score.mjs. (The full pipeline through the registry is
 * `bench dedup`, to come.)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { candidatePairs, features, findMatches, Frequencies, type MatchRecord } from '#dedup';
import { wanToFen } from '#registry';

const { values } = parseArgs({ options: { records: { type: 'string' }, labels: { type: 'string' }, out: { type: 'string', default: 'pairs.csv' }, 'translations-across-leaders': { type: 'boolean', default: false }, 'registrable-only': { type: 'boolean', default: false } } });
if (!values.records) {
  console.error('usage: --records <file.csv> [--labels <labels.csv>] [--out pairs.csv] [--translations-across-leaders] [--registrable-only]');
  process.exit(2);
}
let t = Date.now();
const lap = (what: string) => {
  console.log(`${what.padEnd(28)} ${((Date.now() - t) / 1000).toFixed(2)} s`);
  t = Date.now();
};
const parsed = parse(readFileSync(values.records, 'utf8'), { columns: true }) as Record<string, string>[];
// --registrable-only: the registry refuses a row with no title, organisation or year (it never invents
// a value), so such a record never reaches the detector in the real pipeline.
const registrable = (r: Record<string, string>) => Boolean(r.title?.trim() && r.org_name?.trim() && r.year?.trim());
const rows = values['registrable-only'] ? parsed.filter(registrable) : parsed;
if (rows.length < parsed.length) console.log(`--registrable-only: ${parsed.length - rows.length} rows with no title, organisation or year left out`);
const records: MatchRecord[] = rows.map((r) => ({
  id: r.id!,
  department: r.department ?? '',
  year: r.year ? Number(r.year) : null,
  title: r.title ?? '',
  organisation: r.org_name ?? '',
  uscc: r.uscc || null,
  leader: r.leader || null,
  subfund: r.subfund || null,
  startDate: r.start_date || null,
  endDate: r.end_date || null,
  amountFen: r.amount_wan ? (() => { try { return wanToFen('amount', r.amount_wan!); } catch { return null; } })() : null,
}));
lap(`read ${records.length} records`);
const { matches, candidates } = findMatches(records, { translationsAcrossLeaders: values['translations-across-leaders'] });
lap(`blocking + scoring (${candidates} candidate pairs)`);
writeFileSync(values.out!, stringify(matches.map((m) => ({ id_a: m.a, id_b: m.b, score: m.score.toFixed(2), level: m.level })), { header: true, columns: ['id_a', 'id_b', 'score', 'level'] }));
console.log(`${matches.length} alerts (${matches.filter((m) => m.level === 'likely').length} likely) → ${values.out}`);
if (values.labels) {
  const labels = parse(readFileSync(values.labels, 'utf8'), { columns: true }) as { id_a: string; id_b: string; label: string }[];
  const all = records.map(features);
  const freq = new Frequencies();
  for (const f of all) freq.add(f);
  const pairs = new Set([...candidatePairs(all, freq)].map(([i, k]) => [records[i]!.id, records[k]!.id].sort().join('\t')));
  const dups = labels.filter((l) => l.label === 'duplicate');
  const found = dups.filter((l) => pairs.has([l.id_a, l.id_b].sort().join('\t'))).length;
  console.log(`pair completeness: ${found}/${dups.length} labelled duplicates are candidates (${((100 * found) / dups.length).toFixed(1)}%)`);
}
