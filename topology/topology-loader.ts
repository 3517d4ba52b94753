import * as fs from 'node:fs';
import { ConfigError } from '../core/errors';
import type { CompiledTopology } from './compiled-topology';
import { checkDocument, type YamlParserChoice } from './internal/document-checker';
import { sortProblems, type LintProblem } from './lint-problem';
import { compileTopology } from './topology-compiler';
import { coPartitionProblems } from './internal/co-partition-checker';
import { rightTopicRepartitionProblems } from './internal/join-side-checker';

/** What loading a topology file gives: the compiled graph when the file is valid, and every problem found. */
export interface LoadResult {
  readonly topology?: CompiledTopology;
  readonly problems: LintProblem[];
}

export interface LoadOptions {
  /** Variables for `${VAR}` interpolation (default: process.env). */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * Validate without the environment (CI without secrets): a `${VAR}` with no
   * value and no default is not reported, nor is any problem inside a value
   * that holds one. The result is for validation only: such values are empty.
   */
  readonly skipEnvCheck?: boolean;
  /**
   * 'yaml' parses with the `yaml` library only, the reference that the
   * default js-yaml fast path is checked against (same problems, same
   * topology); for tests and benchmarks.
   */
  readonly yamlParser?: YamlParserChoice;
}

/** The topology file could not be read at all (wrong input, exit code 1 like an invalid file, but not a lint problem). */
export class TopologyFileError extends ConfigError {}

/**
 * Loads, checks and compiles a topology file. Every problem in the file is
 * reported at once, positioned; `topology` is set only when there are none.
 * Throws {@link TopologyFileError} (not retriable) when the file cannot be read.
 */
export function loadTopology(file: string, options: LoadOptions = {}): LoadResult {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new TopologyFileError(`cannot read topology file '${file}'${code === 'ENOENT' ? ': no such file' : code === 'EISDIR' ? ': it is a directory' : code ? ` (${code})` : ''}`);
  }
  return loadTopologyText(text, file, options);
}

/** Like {@link loadTopology} for text already in memory; `file` names it in problems and anchors relative paths. */
export function loadTopologyText(text: string, file: string, options: LoadOptions = {}): LoadResult {
  const { document, problems } = checkDocument(text, file, options.env ?? process.env, options.skipEnvCheck === true, options.yamlParser);
  if (!document || problems.length > 0) return { problems: sortProblems(problems) };
  const topology = compileTopology(document);
  const compiled = [...coPartitionProblems(topology, document), ...rightTopicRepartitionProblems(topology, document)];
  return compiled.length > 0 ? { problems: sortProblems(compiled) } : { topology, problems: [] };
}
