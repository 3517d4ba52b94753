import { FAILSAFE_SCHEMA, load, type LoaderState } from 'js-yaml';
import { Alias, Document, isAlias, isScalar, LineCounter, Pair, Scalar, YAMLMap, YAMLSeq, type Node, type ScalarTag } from 'yaml';

/** A parsed topology file: the `yaml` document its checks walk, and where its lines start. */
export interface ParsedYaml {
  readonly doc: Document;
  readonly lines: LineCounter;
}

/**
 * How deep js-yaml may compose before the fast path gives up (the `yaml`
 * library then parses the file, and the nesting limit of input-limits.ts is
 * reported from its tree). js-yaml counts a node for each level it tries, up
 * to three per nesting level of a block sequence of mappings.
 */
const MAX_COMPOSE_DEPTH = 1_000;

/** The longest implicit key `yaml` accepts (YAML 1.2's limit); js-yaml has none. */
const MAX_IMPLICIT_KEY = 1024;

/** A construct the fast path does not build as `yaml` would: the caller parses with `yaml` instead. */
class NotMirrored extends Error {}

interface Built {
  readonly node: Node;
  /** js-yaml's value for the node (identity tells a node js-yaml passed up from a child). */
  readonly result: unknown;
}

interface Frame {
  /** js-yaml's position when it began the node: before separating space and properties. */
  readonly open: number;
  readonly children: Built[];
}

/** The YAML 1.2 core schema's scalar resolvers, which `yaml` applies to plain scalars. */
const coreSchema = new Document().schema;
const plainTags = coreSchema.tags.filter((tag): tag is ScalarTag => tag.default === true && !tag.collection && (tag as ScalarTag).test !== undefined);
const documentOptions = new Document().options;
/** A plain scalar can only be a null, bool, number or special float when it begins with one of these. */
const NOT_STRING_START = /^[-+.0-9~nNtTfF]|^$/;

/**
 * Parses a topology file with js-yaml (about ten times faster than `yaml`
 * on large files) into the same tree of `yaml` nodes, ranges and scalar
 * styles that `yaml`'s `parseDocument` builds, so the checks and every
 * problem position are the same whichever parser ran. Built from js-yaml's
 * listener, which reports where each node begins and ends; values of plain
 * scalars are resolved by `yaml`'s own core-schema tags.
 *
 * Returns undefined when js-yaml refuses the text (the caller parses it with
 * `yaml`, whose error messages and positions are the ones reported) or when
 * the file uses something this builder does not mirror exactly: directives,
 * explicit tags, explicit (`?`) or non-scalar keys, anchored empty nodes,
 * empty sequence entries, a byte-order mark, a lone carriage return, keys
 * over 1,024 characters, flow lines `yaml` finds under-indented.
 * Aliases stay Alias nodes (js-yaml shares, never copies, their values), so
 * an alias bomb costs no memory here; yaml-aliases.ts bounds its expansion.
 */
export function parseYamlFast(text: string): ParsedYaml | undefined {
  // A lone carriage return breaks a line for js-yaml, not for `yaml`.
  if (text.length === 0 || text.charCodeAt(0) === 0xfeff || /^%/m.test(text) || /\r(?!\n)/.test(text)) return undefined;
  const stack: Frame[] = [];
  let root: Built | undefined;
  try {
    load(text, {
      schema: FAILSAFE_SCHEMA,
      json: true,
      maxDepth: MAX_COMPOSE_DEPTH,
      listener: (event, state) => {
        if (event === 'open') {
          stack.push({ open: state.position, children: [] });
          return;
        }
        const built = buildNode(text, stack.pop()!, state);
        if (stack.length > 0) stack[stack.length - 1].children.push(built);
        else root = built;
      },
    });
  } catch {
    return undefined;
  }
  if (root === undefined || !(root.node instanceof YAMLMap)) return undefined;
  checkFlowIndent(text, root.node);
  const doc = new Document();
  doc.contents = root.node;
  return { doc, lines: lineStarts(text) };
}

function lineStarts(text: string): LineCounter {
  const lines = new LineCounter();
  lines.addNewLine(0);
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines.addNewLine(i + 1);
  return lines;
}

function buildNode(text: string, frame: Frame, state: LoaderState): Built {
  const { kind, result, anchor, tag } = state;
  if (tag !== null && !(tag === '?' && kind === 'scalar')) throw new NotMirrored();
  if (kind === 'mapping' || kind === 'sequence') {
    // js-yaml reads a block node's first entry as a possible mapping key and, when no ':'
    // follows, keeps that node as the whole: the child is the node itself.
    const only = frame.children.length === 1 ? frame.children[0] : undefined;
    if (only !== undefined && only.result === result && !isAlias(only.node)) return only;
    const start = contentStart(text, frame.open);
    const node = kind === 'mapping' ? buildMap(text, frame.children) : buildSeq(frame.children, result);
    node.range = [start, state.position, state.position];
    if (text.charCodeAt(start) === 0x7b /* { */ || text.charCodeAt(start) === 0x5b /* [ */) node.flow = true;
    else for (const child of frame.children) checkFlowIndent(text, child.node);
    if (anchor !== null) node.anchor = anchor;
    return { node, result };
  }
  // A leaf: a child is js-yaml's try at reading it as a mapping key (kept, or undone and read again).
  const only = frame.children.length === 1 ? frame.children[0] : undefined;
  if (kind === 'scalar' && only !== undefined && isScalar(only.node) && Object.is(only.result, result)) {
    if (anchor !== null && only.node.anchor !== undefined && only.node.anchor !== anchor) throw new NotMirrored();
    if (anchor !== null) only.node.anchor = anchor;
    return only;
  }
  const start = contentStart(text, frame.open);
  if (kind === 'scalar') {
    const node = buildScalar(text, start, state.position, String(result), tag === '?');
    if (anchor !== null) node.anchor = anchor;
    return { node, result };
  }
  if (anchor !== null) throw new NotMirrored();
  if (text.charCodeAt(start) === 0x2a /* * */) {
    let end = start + 1;
    while (end < text.length && !/[\s,[\]{}]/.test(text[end])) end++;
    const node = new Alias(text.slice(start + 1, end));
    node.range = [start, end, end];
    return { node, result };
  }
  // An empty value: `yaml` places it after the indicator and the spaces that follow it.
  let at = frame.open;
  while (text[at] === ' ' || text[at] === '\t') at++;
  const node = new Scalar(null);
  node.type = Scalar.PLAIN;
  node.source = '';
  node.range = [at, at, at];
  return { node, result };
}

/**
 * What `yaml` refuses and js-yaml takes in a node written in flow style (a
 * flow collection, or a plain or quoted scalar) under a block collection: a
 * line of it not indented past the line it starts on ("must be sufficiently
 * indented"; a line that only closes the collection may be at that
 * indentation), or a comment touching its end (`"q"#c`, `[1]#c`). Checked
 * where the flow node meets block style, so each line is read once.
 */
function checkFlowIndent(text: string, node: Node): void {
  if (!node.range || (isScalar(node) && (node.type === Scalar.BLOCK_LITERAL || node.type === Scalar.BLOCK_FOLDED))) return;
  if (!isScalar(node) && !isAlias(node) && !(node as YAMLMap | YAMLSeq).flow) return;
  const [start, end] = node.range;
  const quoted = isScalar(node) && node.type !== Scalar.PLAIN;
  if ((quoted || !isScalar(node)) && text[end] === '#') throw new NotMirrored();
  let newline = text.indexOf('\n', start);
  if (newline < 0 || newline >= end) return;
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  let base = 0;
  while (text[lineStart + base] === ' ') base++;
  while (newline >= 0 && newline < end) {
    let indent = 0;
    while (text[newline + 1 + indent] === ' ') indent++;
    const first = text[newline + 1 + indent];
    const blank = first === '\n' || first === '\r' || first === undefined;
    const closing = !isScalar(node) && (first === ']' || first === '}');
    if (!blank && !closing && indent <= base) throw new NotMirrored();
    newline = text.indexOf('\n', newline + 1);
  }
}

/** Where a node's content begins: past separating space, comments and its anchor. */
function contentStart(text: string, from: number): number {
  let i = from;
  for (;;) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') i++;
    else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]))) {
      const newline = text.indexOf('\n', i);
      i = newline < 0 ? text.length : newline;
    } else if (c === '&') {
      while (i < text.length && !/[\s,[\]{}]/.test(text[i])) i++;
    } else return i;
  }
}

function buildScalar(text: string, start: number, closed: number, value: string, plain: boolean): Scalar {
  const c = text[start];
  let node: Scalar;
  let end = closed;
  if (plain) {
    node = resolvePlain(value);
    node.type = Scalar.PLAIN;
    while (end > start && /\s/.test(text[end - 1])) end--;
  } else {
    node = new Scalar(value);
    if (c === '"') node.type = Scalar.QUOTE_DOUBLE;
    else if (c === "'") node.type = Scalar.QUOTE_SINGLE;
    else if (c === '|' || c === '>') {
      node.type = c === '|' ? Scalar.BLOCK_LITERAL : Scalar.BLOCK_FOLDED;
      // An empty block scalar ends where `yaml` counts its blank lines differently.
      if (value === '') throw new NotMirrored();
      end = blockScalarEnd(text, start, closed);
    } else throw new NotMirrored();
  }
  node.source = value;
  node.range = [start, end, end];
  return node;
}

/**
 * Where `yaml` ends a block scalar: after the line break of its last line
 * with content (of its last line, blank or not, when it keeps them: `|+`),
 * or at the end of the file.
 */
function blockScalarEnd(text: string, start: number, closed: number): number {
  const headerEnd = text.indexOf('\n', start);
  if (headerEnd < 0) return text.length;
  const keep = text.slice(start, headerEnd).split('#')[0].includes('+');
  let end = Math.min(closed, text.length);
  while (end > headerEnd + 1 && (text[end - 1] === ' ' || text[end - 1] === '\t')) end--;
  if (keep) return end;
  while (end > headerEnd + 1) {
    const lineStart = text.lastIndexOf('\n', end - 2) + 1;
    if (lineStart <= headerEnd || text.slice(lineStart, end).trim() !== '') break;
    end = lineStart;
  }
  return end;
}

/** A plain scalar's value as `yaml`'s core schema resolves it (`3` a number, `true` a boolean, `~` null). */
function resolvePlain(value: string): Scalar {
  if (!NOT_STRING_START.test(value)) return new Scalar(value);
  const tag = plainTags.find((t) => t.test!.test(value));
  if (tag === undefined) return new Scalar(value);
  const resolved: unknown = tag.resolve(value, () => { throw new NotMirrored(); }, documentOptions);
  const node = isScalar(resolved) ? resolved : new Scalar(resolved);
  if (tag.format) node.format = tag.format;
  return node;
}

function buildMap(text: string, children: readonly Built[]): YAMLMap {
  if (children.length % 2 !== 0) throw new NotMirrored();
  const map = new YAMLMap();
  for (let i = 0; i < children.length; i += 2) {
    const key = children[i].node;
    if (!isScalar(key) || !key.range) throw new NotMirrored();
    const [start, end] = key.range;
    // A '?' before the key (explicit key) or no ':' after it (a flow entry without a value).
    let before = start - 1;
    while (before >= 0 && (text[before] === ' ' || text[before] === '\t')) before--;
    let after = end;
    while (text[after] === ' ' || text[after] === '\t') after++;
    if (text[before] === '?' || text[after] !== ':' || end - start > MAX_IMPLICIT_KEY) throw new NotMirrored();
    map.items.push(new Pair(key, children[i + 1].node));
  }
  return map;
}

function buildSeq(children: readonly Built[], result: unknown): YAMLSeq {
  // js-yaml reports no node for an empty entry ('-' alone) and two for a pair in a flow sequence.
  if (!Array.isArray(result) || result.length !== children.length) throw new NotMirrored();
  const seq = new YAMLSeq();
  for (const child of children) seq.items.push(child.node);
  return seq;
}
