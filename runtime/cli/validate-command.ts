import { InvalidArgumentError } from 'commander';
import { formatProblem, type LintProblem } from '../../topology/lint-problem';
import { loadTopology, TopologyFileError } from '../../topology/topology-loader';
import type { CliCommand } from './cli-command';
import { withEnvFileOption } from './env-file';
import { ExitCode } from '../../core/exit-code';
import { exitCodeForProblems } from './error-exit-code';
import { expandTopologyArguments } from './topology-files';

/** One file's outcome in `validate --format json`. */
export interface ValidatedFile {
  readonly file: string;
  readonly status: 'valid' | 'invalid' | 'unreadable';
  /** Why the file could not be read (status `unreadable`). */
  readonly message?: string;
}

/** One problem in `validate --format json`: the fields of `FILE:LINE:COL kind message`, named. */
export interface ValidationProblem {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** One of the lint kinds (topology/lint-problem.ts). */
  readonly code: string;
  readonly message: string;
}

/** The document `validate --format json` prints: every file and every problem, in order. */
export interface ValidationReport {
  readonly valid: boolean;
  readonly files: readonly ValidatedFile[];
  readonly problems: readonly ValidationProblem[];
}

const formats = ['text', 'json'] as const;
const format = (text: string): (typeof formats)[number] => {
  if (!(formats as readonly string[]).includes(text)) throw new InvalidArgumentError(`--format must be text or json, not '${text}'`);
  return text as (typeof formats)[number];
};

/**
 * `tributary validate FILE|DIR...`: every problem of every file (a directory: every
 * `*.yaml`/`*.yml` under it), one line each (`FILE:LINE:COL kind message`), or one
 * JSON document with `--format json`. Exit 0 all valid, 1 a file is invalid or
 * unreadable, 2 usage, 4 a file is past a limit (the worst file's code: 4 over 1).
 */
export const validateCommand: CliCommand = {
  register(program) {
    withEnvFileOption(program
      .command('validate')
      .description('check topology files (or every *.yaml/*.yml under a directory) and report every problem as FILE:LINE:COL kind message')
      .argument('<paths...>', 'topology files or directories')
      .option('-q, --quiet', 'print nothing for valid files')
      .option('-f, --format <format>', 'text (one line per problem) or json (one document: files and problems with file, line, column, code, message)', format, 'text')
      .option('--skip-env-var-check', 'for CI without the secrets: a ${VAR} without a value is no problem, nor is anything found in a value that holds one'))
      .action((paths: string[], opts: { quiet?: boolean; skipEnvVarCheck?: boolean; format: 'text' | 'json' }) => {
        const files: ValidatedFile[] = [];
        const problems: LintProblem[] = [];
        for (const file of expandTopologyArguments(paths)) {
          try {
            const found = loadTopology(file, { skipEnvCheck: opts.skipEnvVarCheck === true }).problems;
            problems.push(...found);
            files.push({ file, status: found.length > 0 ? 'invalid' : 'valid' });
            if (opts.format === 'text') {
              for (const p of found) process.stdout.write(`${formatProblem(p)}\n`);
              if (found.length === 0 && !opts.quiet) process.stdout.write(`${file}: valid\n`);
            }
          } catch (err) {
            if (!(err instanceof TopologyFileError)) throw err;
            files.push({ file, status: 'unreadable', message: err.message });
            if (opts.format === 'text') process.stderr.write(`tributary validate: ${err.message}\n`);
          }
        }
        const valid = files.every((f) => f.status === 'valid');
        if (opts.format === 'json') {
          const report: ValidationReport = {
            valid,
            files,
            problems: problems.map((p) => ({ file: p.file, line: p.line, column: p.col, code: p.kind, message: p.message })),
          };
          process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        }
        process.exitCode = valid ? ExitCode.ok : exitCodeForProblems(problems);
      });
  },
};
