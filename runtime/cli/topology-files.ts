import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError } from '../../core/errors';

/** Folders a walk never enters: installed packages and hidden folders (.git, .services, ...). */
const skipped = (name: string): boolean => name === 'node_modules' || name.startsWith('.');

/**
 * The topology files named on a command line: a file stays as given (read errors are
 * the loader's to report); a directory becomes every `*.yaml` and `*.yml` under it, in
 * sorted order, as `rpk connect lint ./configs/...` walks. A directory holding none is
 * a {@link ConfigError}: validating nothing must not pass.
 */
export function expandTopologyArguments(args: readonly string[]): string[] {
  const files: string[] = [];
  for (const arg of args) {
    let isDirectory = false;
    try {
      isDirectory = fs.statSync(arg).isDirectory();
    } catch {
      // Missing or unreadable: the loader names the file and why.
    }
    if (!isDirectory) {
      files.push(arg);
      continue;
    }
    const found = yamlFilesUnder(arg);
    if (found.length === 0) throw new ConfigError(`no *.yaml or *.yml files under '${arg}'`);
    files.push(...found);
  }
  return files;
}

function yamlFilesUnder(dir: string): string[] {
  const found: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!skipped(entry.name)) found.push(...yamlFilesUnder(full));
    } else if (entry.isFile() && /\.ya?ml$/.test(entry.name)) {
      found.push(full);
    }
  }
  return found;
}
