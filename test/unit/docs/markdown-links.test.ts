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

/** GitHub's heading anchors of a markdown text: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const found = new Set<string>();
  let fenced = false;
  for (const line of text.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) { fenced = !fenced; continue; }
    const heading = fenced ? null : /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const slug = heading[1].toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    found.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return found;
}

/** Why a relative link does not resolve, or undefined when it does. */
function brokenReason(from: string, target: string): string | undefined {
  const [file, anchor] = target.split('#');
  const resolved = file === '' ? from : path.resolve(path.dirname(from), decodeURIComponent(file));
  if (!existsSync(resolved)) return `${target}: no such file`;
  if (anchor && resolved.endsWith('.md') && !anchors(readFileSync(resolved, 'utf8')).has(anchor)) return `${target}: no heading with that anchor`;
  return undefined;
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

  it('derives heading anchors as GitHub does', () => {
    assert.deepEqual([...anchors('# Kafka client: kafkajs vs @platformatic/kafka\n## `npm run bench`: one run\n## Tests\n## Tests')],
      ['kafka-client-kafkajs-vs-platformatickafka', 'npm-run-bench-one-run', 'tests', 'tests-1']);
  });

  for (const file of files) {
    it(`every relative link of ${path.relative(repoRoot, file)} points at an existing file and heading`, () => {
      const broken = linkTargets(readFileSync(file, 'utf8'))
        .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target))
        .map((target) => brokenReason(file, target))
        .filter((reason) => reason !== undefined);
      assert.deepEqual(broken, [], `broken links in ${path.relative(repoRoot, file)}`);
    });
  }
});
