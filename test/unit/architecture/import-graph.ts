import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ts from 'typescript';

/** One relative import: `from` and `to` are paths relative to the scanned root, `.ts` included. */
export interface ImportEdge {
  readonly from: string;
  readonly to: string;
}

const skipped = new Set(['node_modules', 'dist', '.git']);

function sourceFiles(dir: string, root: string, ignored: readonly string[], out: string[] = []): string[] {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (skipped.has(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (ignored.includes(path.relative(root, full).split(path.sep).join('/'))) continue;
    if (entry.isDirectory()) sourceFiles(full, root, ignored, out);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(path.relative(root, full).split(path.sep).join('/'));
  }
  return out;
}

function resolveSpecifier(root: string, fromFile: string, specifier: string): string | undefined {
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(fromFile), specifier));
  const candidates = [`${base}.ts`, base.replace(/\.js$/, '.ts'), `${base}/index.ts`];
  return candidates.find((candidate) => candidate.endsWith('.ts') && fs.existsSync(path.join(root, candidate)));
}

/**
 * Every relative import, export-from, dynamic import and require of every `.ts` file under `root`.
 * TypeScript's own pre-processor reads them, so comments and strings are not mistaken for imports.
 */
export function importGraph(root: string, ignored: readonly string[] = []): { readonly files: readonly string[]; readonly edges: readonly ImportEdge[] } {
  const files = sourceFiles(root, root, ignored);
  const edges: ImportEdge[] = [];
  for (const from of files) {
    const info = ts.preProcessFile(fs.readFileSync(path.join(root, from), 'utf8'), true, true);
    for (const imported of info.importedFiles) {
      if (!imported.fileName.startsWith('.')) continue;
      const to = resolveSpecifier(root, from, imported.fileName);
      if (to !== undefined) edges.push({ from, to });
    }
  }
  return { files, edges };
}

/** Strongly connected components with more than one file: each one is an import circle. */
export function importCircles(files: readonly string[], edges: readonly ImportEdge[]): string[][] {
  const next = new Map<string, string[]>(files.map((file) => [file, []]));
  for (const { from, to } of edges) next.get(from)?.push(to);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const circles: string[][] = [];
  let counter = 0;
  // Iterative Tarjan: the repository is deep enough that recursion is not worth the risk.
  for (const start of files) {
    if (index.has(start)) continue;
    const work: Array<{ file: string; children: string[]; at: number }> = [];
    const visit = (file: string): void => {
      index.set(file, counter);
      low.set(file, counter);
      counter += 1;
      stack.push(file);
      onStack.add(file);
      work.push({ file, children: next.get(file) ?? [], at: 0 });
    };
    visit(start);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      if (frame.at < frame.children.length) {
        const child = frame.children[frame.at];
        frame.at += 1;
        if (!index.has(child)) visit(child);
        else if (onStack.has(child)) low.set(frame.file, Math.min(low.get(frame.file)!, index.get(child)!));
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1].file;
        low.set(parent, Math.min(low.get(parent)!, low.get(frame.file)!));
      }
      if (low.get(frame.file) === index.get(frame.file)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.file);
        if (component.length > 1) circles.push(component.sort());
      }
    }
  }
  return circles;
}
