/**
 * Config fuzzing: thousands of mutated topology files through the validator.
 *
 *   node dist/test/faults/config-fuzz.js [--cases 5000] [--seed 1] [FILE.yaml ...]
 *
 * Seeds default to every example topology (examples/**\/*.yaml) and bench/topologies/*.yaml.
 * Prints a summary and, for each failure (an exception escaping, or a problem without a
 * position), the seed, mutations and the case seed that reproduces it; failing mutants are
 * written under the system temp folder. Exit status 1 on any failure.
 */
import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { REPO_ROOT } from '../helpers/machine-info';
import { fuzzTopologies, readSeeds } from './config-fuzzer';
import { integerOption } from '../../runtime/cli/option-parsers';
import { parseScriptOptions, scriptCommand } from '../helpers/script-options';

function yamlFiles(dir: string): string[] {
  let out: string[] = [];
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    const p = join(dir, name);
    if (name === 'node_modules') continue;
    if (statSync(p).isDirectory()) out = out.concat(yamlFiles(p));
    else if (/\.ya?ml$/.test(name)) out.push(p);
  }
  return out;
}

/** The default seeds: example and bench topologies. */
export function defaultSeedPaths(): string[] {
  return [...yamlFiles(join(REPO_ROOT, 'examples')), ...yamlFiles(join(REPO_ROOT, 'bench', 'topologies'))].sort();
}

function main(): void {
  const command = scriptCommand('dist/test/faults/config-fuzz.js', 'mutated topology files through the validator: every problem positioned, no exception escaping')
    .argument('[files...]', 'seed topologies (default: examples/**/*.yaml and bench/topologies/*.yaml)')
    .option('--cases <n>', 'mutants to check', integerOption('--cases', 1), 5000)
    .option('--seed <n>', 'PRNG seed of the mutations', integerOption('--seed', 0), 1);
  const { cases, seed } = parseScriptOptions<{ cases: number; seed: number }>(command);
  const files = command.args;
  const seeds = readSeeds(files.length > 0 ? files : defaultSeedPaths());
  console.log(`config fuzz: ${cases} mutants of ${seeds.length} seed topologies (${seeds.map((s) => relative(REPO_ROOT, s.path)).join(', ')}), seed ${seed}`);
  const s = fuzzTopologies(seeds, cases, seed);
  const kinds = Object.entries(s.byKind).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ');
  console.log(`cases ${s.cases}: ${s.valid} still valid, ${s.invalid} rejected with ${s.problems} problems (${kinds}); ${s.failures.length} failures; ${(s.elapsedMs / 1000).toFixed(1)} s`);
  if (s.failures.length > 0) {
    const dir = mkdtempSync(join(tmpdir(), 'tributary-fuzz-'));
    s.failures.slice(0, 50).forEach((f, i) => {
      const file = join(dir, `failure-${i}.yaml`);
      writeFileSync(file, f.text);
      console.log(`FAIL case seed ${f.caseSeed} (${relative(REPO_ROOT, f.seedPath)}; ${f.mutations.join(' + ')}): ${f.reason.split('\n').slice(0, 4).join(' | ')} -> ${file}`);
    });
    process.exitCode = 1;
  }
}

if (require.main === module) main();
