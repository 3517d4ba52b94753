import { createHash } from 'node:crypto';
import { ConfigError } from '../../../core/errors';
import type { LocalTaskState } from './task-assignment';

/**
 * Where each member of an application's group serves interactive queries
 * (Kafka Streams' `application.server`), carried in the group protocol itself:
 *
 * - a member's subscription userData holds its advertised endpoint,
 * - the leader puts every member's endpoint and partitions into each member's
 *   assignment userData,
 *
 * so after every rebalance each process knows which endpoint holds which
 * partition, without any service beside Kafka. Both payloads are small JSON
 * documents with a version; bytes that do not parse (an older member's empty
 * userData) read as "no endpoint", never as an error.
 */

/** One member's query endpoint and the partitions it was assigned. */
export interface MemberEndpoint {
  /** `host:port`, or '' when the member advertises none. */
  readonly endpoint: string;
  /** Topic → partitions. */
  readonly assignment: Readonly<Record<string, readonly number[]>>;
}

const VERSION = 1;

/**
 * The subscription userData of a member advertising `endpoint` (none: '') and holding `tasks`
 * locally (task-assignment.ts' LocalTaskState); empty when it has neither.
 */
export function encodeSubscriptionEndpoint(endpoint: string | undefined, tasks: LocalTaskState = {}): Buffer {
  const held = Object.keys(tasks).length > 0;
  if (!endpoint && !held) return Buffer.alloc(0);
  return Buffer.from(JSON.stringify({ v: VERSION, endpoint: endpoint ?? '', ...(held ? { tasks } : {}) }));
}

/** The local task state a member reported in its subscription userData (empty when none or malformed). */
export function decodeSubscriptionTasks(userData: Buffer | null | undefined): LocalTaskState {
  const doc = parse(userData);
  const tasks = doc?.tasks;
  if (typeof tasks !== 'object' || tasks === null || Array.isArray(tasks)) return {};
  return Object.fromEntries(Object.entries(tasks).filter((e): e is [string, number] => typeof e[1] === 'number' && Number.isFinite(e[1])));
}

/** The endpoint a member advertised in its subscription userData; '' when it advertised none. */
export function decodeSubscriptionEndpoint(userData: Buffer | null | undefined): string {
  const doc = parse(userData);
  return doc && typeof doc.endpoint === 'string' ? doc.endpoint : '';
}

/**
 * The assignment userData the leader gives a member: all members' endpoints and partitions, and
 * the standby tasks of this member (task ids; see task-assignment.ts).
 */
export function encodeGroupEndpoints(members: readonly MemberEndpoint[], standby: readonly string[] = []): Buffer {
  return Buffer.from(JSON.stringify({ v: VERSION, members, ...(standby.length > 0 ? { standby } : {}) }));
}

/** The standby task ids an assignment's userData gives this member; empty when none. */
export function decodeStandbyTasks(userData: Buffer | null | undefined): string[] {
  const standby = parse(userData)?.standby;
  return Array.isArray(standby) ? standby.filter((t): t is string => typeof t === 'string' && /^[A-Za-z0-9._-]+$/.test(t)) : [];
}

/** The members' endpoints from an assignment's userData; empty when it carries none. */
export function decodeGroupEndpoints(userData: Buffer | null | undefined): MemberEndpoint[] {
  const doc = parse(userData);
  if (!doc || !Array.isArray(doc.members)) return [];
  const members: MemberEndpoint[] = [];
  for (const m of doc.members as unknown[]) {
    if (typeof m !== 'object' || m === null) continue;
    const { endpoint, assignment } = m as { endpoint?: unknown; assignment?: unknown };
    if (typeof endpoint !== 'string' || typeof assignment !== 'object' || assignment === null) continue;
    const parts: Record<string, number[]> = {};
    for (const [topic, ps] of Object.entries(assignment)) {
      if (Array.isArray(ps)) parts[topic] = ps.filter((p): p is number => Number.isInteger(p));
    }
    members.push({ endpoint, assignment: parts });
  }
  return members;
}

function parse(userData: Buffer | null | undefined): Record<string, unknown> | undefined {
  if (!userData || userData.length === 0) return undefined;
  try {
    const doc: unknown = JSON.parse(userData.toString('utf8'));
    return typeof doc === 'object' && doc !== null && (doc as { v?: unknown }).v === VERSION ? doc as Record<string, unknown> : undefined;
  } catch {
    return undefined;
  }
}

/** Checks a group.instance.id by Kafka's rule (as for topic names); returns it unchanged. */
export function checkGroupInstanceId(text: string): string {
  if (!/^[A-Za-z0-9._-]{1,249}$/.test(text)) {
    throw new ConfigError(`group instance id must be 1 to 249 letters, digits, '.', '_' or '-' (Kafka's rule for group.instance.id), not '${text}'`);
  }
  return text;
}

/**
 * The group.instance.id a process gets when none is configured: the application, the host and a
 * hash of the state directory's absolute path. A process restarted on the same host and state
 * directory (a StatefulSet pod on its volume, a systemd unit) gets the same id back, so the
 * broker hands it its partitions without a rebalance; two processes sharing one state directory
 * on one host would share the id too, and the broker fences the older one.
 */
export function derivedGroupInstanceId(app: string, host: string, stateDir: string): string {
  const hash = createHash('sha256').update(stateDir).digest('hex').slice(0, 12);
  const clean = (text: string, max: number): string => text.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, max);
  return checkGroupInstanceId(`${clean(app, 120)}-${clean(host, 100) || 'host'}-${hash}`);
}

/**
 * Checks an advertised endpoint: `host:port` (IPv6 hosts in brackets), the
 * address other processes and clients reach this one's query API at. Returns it
 * unchanged; throws a message saying what is expected.
 */
export function checkAdvertisedEndpoint(text: string): string {
  const m = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port < 1 || port > 65535) {
    throw new ConfigError(`advertised endpoint must be host:port (e.g. 10.0.0.5:9464, the address other processes reach this one's metrics port at), not '${text}'`);
  }
  return text;
}
