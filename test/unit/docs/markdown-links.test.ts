import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

const repoRoot = path.join(__dirname, '..', '..', '..', '..');

/** Markdown files under a folder, recursively. */
function markdownUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return markdownUnder(full);
    return entry.name.endsWith('.md') ? [full] : [];
  });
}

/** Link targets of a markdown text, outside fenced code blocks and inline code. */
function linkTargets(text: string): string[] {
  const targets: string[] = [];
  let fenced = false;
  for (const line of text.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) { fenced = !fenced; continue; }
    if (fenced) continue;
    const prose = line.replace(/`[^`]*`/g, '');
    for (const match of prose.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) targets.push(match[1]);
  }
  return targets;
}

const files = [
  path.join(repoRoot, 'README.md'),
  ...markdownUnder(path.join(repoRoot, 'docs')),
  path.join(repoRoot, 'examples', 'home-feed', 'README.md'),
].filter(existsSync);

describe('markdown links', () => {
  it('finds links outside code only', () => {
    assert.deepEqual(linkTargets('[a](x.md) `[b](y.md)`\n```\n[c](z.md)\n```\n[d](https://e.org) [f](#g)'), ['x.md', 'https://e.org', '#g']);
  });

  for (const file of files) {
    it(`every relative link of ${path.relative(repoRoot, file)} points at an existing file`, () => {
      const broken = linkTargets(readFileSync(file, 'utf8'))
        .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target) && !target.startsWith('#'))
        .filter((target) => !existsSync(path.resolve(path.dirname(file), decodeURIComponent(target.split('#')[0]))));
      assert.deepEqual(broken, [], `broken links in ${path.relative(repoRoot, file)}`);
    });
  }
});
