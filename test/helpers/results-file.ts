import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, type MachineInfo } from './machine-info';

/** Where `npm run bench` writes its figures. */
export const RESULTS_PATH = join(REPO_ROOT, 'bench', 'results.json');

/** One named section of results: a benchmark's rows with the machine and command that made them. */
export interface ResultsSection {
  readonly machine: MachineInfo;
  readonly rows: readonly Record<string, string | number | boolean | null>[];
  readonly notes?: readonly string[];
}

/**
 * Writes `section` under `name` in bench/results.json, keeping the other sections, so each
 * benchmark can be rerun alone without losing the rest of the table.
 */
export function writeResultsSection(name: string, section: ResultsSection, path = RESULTS_PATH): void {
  let doc: { updatedAt?: string; sections: Record<string, ResultsSection> } = { sections: {} };
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as typeof doc;
    if (parsed && typeof parsed.sections === 'object') doc = parsed;
  } catch {
    // Missing or unreadable: start a fresh file.
  }
  doc.sections[name] = section;
  doc.updatedAt = new Date().toISOString();
  writeFileSync(path, JSON.stringify(doc, null, 2) + '\n');
}
