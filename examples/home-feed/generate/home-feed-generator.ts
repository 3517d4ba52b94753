import type { EngagementAction, EngagementEvent, ImageEvent } from './home-feed-events';
import { resolveGeneratorConfig, type GeneratorConfig } from './generator-config';
import { Prng } from './internal/prng';
import { AppendOnlyWeightedSampler } from './internal/weighted-sampler';
import { TimeOrderedQueue } from './internal/time-ordered-queue';
import { GENERIC_LABELS, interestVocabulary } from './internal/interest-vocabulary';

/** Dimension of every pin embedding (schemas/image.avsc). */
export const EMBEDDING_DIM = 32;

/**
 * One generated event. `holdout` engagements happen after the training part
 * of the stream and are withheld from it: they are what evaluation predicts.
 */
export type GeneratedEvent =
  | { readonly kind: 'image'; readonly key: string; readonly timestamp: number; readonly value: ImageEvent }
  | { readonly kind: 'engagement' | 'holdout'; readonly key: string; readonly timestamp: number; readonly value: EngagementEvent };

interface Interest {
  readonly index: number;
  readonly category: string;
  readonly labels: readonly string[];
  readonly centroid: Float64Array;
  readonly pins: AppendOnlyWeightedSampler<Pin>;
  /** Pins of this interest in creation order, for the fresh-content draw. */
  readonly byCreation: Pin[];
  freshFrom: number;
}

interface Pin {
  readonly id: string;
  readonly interest: number;
  readonly quality: number;
  readonly createdAt: number;
}

interface User {
  readonly id: string;
  /** Interest index → weight (weights sum to 1), heaviest first. */
  readonly interests: ReadonlyMap<number, number>;
  readonly interestSampler: AppendOnlyWeightedSampler<number>;
  /** Saved or hidden pins: never shown again, as the real feed filters them. */
  readonly excluded: Set<string>;
}

const FRESH_WINDOW_MS = 24 * 3600 * 1000;
const FRESH_DRAW_SHARE = 0.2;
const INITIAL_PIN_AGE_MS = 30 * 24 * 3600 * 1000;
/** Each view yields an impression plus, about a third of the time, an action. */
const EVENTS_PER_VIEW = 1.3;

/**
 * A deterministic synthetic home-feed world and its event stream: users with
 * Zipf activity and 1..N latent interests, pins clustered by interest (a
 * category, object labels, a 32-d embedding near the interest's centroid, a
 * quality that makes some pins popular), actions whose probabilities follow
 * the user's interests (hides mostly on off-interest pins), and new pins
 * arriving over time. A pure library: no I/O, no clock, no Math.random.
 */
export class HomeFeedGenerator {
  readonly config: GeneratorConfig;
  private readonly worldRng: Prng;
  private readonly streamRng: Prng;
  private readonly interestList: Interest[] = [];
  private readonly users: User[] = [];
  private readonly userSampler = new AppendOnlyWeightedSampler<User>();
  private readonly allPins = new AppendOnlyWeightedSampler<Pin>();
  private readonly pinsById = new Map<string, Pin>();
  private readonly userById = new Map<string, User>();
  private pinCounter = 0;
  private eventCounter = 0;
  private started = false;

  constructor(config: Partial<GeneratorConfig> = {}) {
    this.config = resolveGeneratorConfig(config);
    const root = new Prng(this.config.seed);
    this.worldRng = root.fork();
    this.streamRng = root.fork();
    this.buildInterests();
    this.buildUsers();
  }

  /** The interests of a user (interest index → weight), for tests and evaluation reports. */
  userInterests(userId: string): ReadonlyMap<number, number> | undefined {
    return this.userById.get(userId)?.interests;
  }

  /** The latent interest a pin was drawn from (only pins generated so far). */
  pinInterest(pinId: string): number | undefined {
    return this.pinsById.get(pinId)?.interest;
  }

  /** Category name of an interest. */
  interestCategory(interest: number): string {
    return this.interestList[interest].category;
  }

  /**
   * The stream, in event-time order: the initial pins first (created over the
   * 30 days before the start), then engagements interleaved with new pins; the
   * last `holdoutShare` of engagements come out as `holdout`. Iterate once.
   */
  *events(): IterableIterator<GeneratedEvent> {
    if (this.started) throw new Error('HomeFeedGenerator.events() can be iterated once; make a new generator to replay');
    this.started = true;
    const { totalEvents, initialPins, startTime, spanMs, holdoutShare, newPinShare } = this.config;
    const rng = this.streamRng;
    let emitted = 0;

    const initial: ImageEvent[] = [];
    for (let i = 0; i < initialPins; i++) {
      initial.push(this.newPin(rng.int(this.interestList.length), startTime - Math.floor(rng.next() * INITIAL_PIN_AGE_MS)));
    }
    initial.sort((a, b) => a.createdAt - b.createdAt);
    for (const image of initial) {
      if (emitted >= totalEvents) return;
      emitted++;
      yield { kind: 'image', key: image.pinId, timestamp: image.createdAt, value: image };
    }

    const streamEvents = totalEvents - emitted;
    const holdoutFrom = totalEvents - Math.floor(holdoutShare * streamEvents);
    const meanGap = (spanMs * EVENTS_PER_VIEW) / Math.max(1, streamEvents);
    const pending = new TimeOrderedQueue<ImageEvent | EngagementEvent>();
    let t = startTime;
    while (emitted < totalEvents) {
      if (pending.size && pending.peekTime() <= t) {
        const event = pending.pop()!;
        emitted++;
        if ('createdAt' in event) {
          yield { kind: 'image', key: event.pinId, timestamp: event.createdAt, value: event };
        } else {
          const kind = emitted > holdoutFrom ? 'holdout' : 'engagement';
          yield { kind, key: event.userId, timestamp: event.eventTime, value: event };
        }
        continue;
      }
      t += Math.max(1, Math.round(rng.exponential(meanGap)));
      if (rng.next() < newPinShare) {
        const image = this.newPin(rng.int(this.interestList.length), t);
        pending.push(t, image);
      } else {
        for (const event of this.view(t)) pending.push(event.eventTime, event);
      }
    }
  }

  private buildInterests(): void {
    const rng = this.worldRng;
    for (let i = 0; i < this.config.interests; i++) {
      const vocabulary = interestVocabulary(i);
      const centroid = new Float64Array(EMBEDDING_DIM);
      for (let d = 0; d < EMBEDDING_DIM; d++) centroid[d] = rng.normal();
      normalize(centroid);
      this.interestList.push({
        index: i, category: vocabulary.category, labels: vocabulary.labels, centroid,
        pins: new AppendOnlyWeightedSampler<Pin>(), byCreation: [], freshFrom: 0,
      });
    }
  }

  private buildUsers(): void {
    const rng = this.worldRng;
    const { users, interests, maxInterestsPerUser, zipfExponent } = this.config;
    // Activity rank is a random permutation so user ids say nothing about activity.
    const ranks = Array.from({ length: users }, (_, i) => i + 1);
    for (let i = ranks.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [ranks[i], ranks[j]] = [ranks[j], ranks[i]];
    }
    const width = String(users).length;
    for (let u = 0; u < users; u++) {
      const count = 1 + rng.int(maxInterestsPerUser);
      const chosen = new Set<number>();
      while (chosen.size < count) chosen.add(rng.int(interests));
      const raw = [...chosen].map((index) => ({ index, w: rng.exponential(1) + 0.2 }));
      const sum = raw.reduce((s, x) => s + x.w, 0);
      raw.sort((a, b) => b.w - a.w);
      const weights = new Map(raw.map((x) => [x.index, x.w / sum] as const));
      const sampler = new AppendOnlyWeightedSampler<number>();
      for (const [index, w] of weights) sampler.add(index, w);
      const user: User = { id: `user-${String(u).padStart(width, '0')}`, interests: weights, interestSampler: sampler, excluded: new Set() };
      this.users.push(user);
      this.userById.set(user.id, user);
      this.userSampler.add(user, 1 / Math.pow(ranks[u], zipfExponent));
    }
  }

  private newPin(interestIndex: number, createdAt: number): ImageEvent {
    const rng = this.streamRng;
    const interest = this.interestList[interestIndex];
    const id = `pin-${String(this.pinCounter++).padStart(6, '0')}`;
    const quality = Math.exp(0.9 * rng.normal());
    const pin: Pin = { id, interest: interestIndex, quality, createdAt };
    interest.pins.add(pin, quality);
    interest.byCreation.push(pin);
    this.allPins.add(pin, quality);
    this.pinsById.set(id, pin);

    const labels: string[] = [];
    const labelCount = 2 + rng.int(3);
    while (labels.length < labelCount) {
      const label = interest.labels[rng.int(interest.labels.length)];
      if (!labels.includes(label)) labels.push(label);
    }
    if (rng.next() < 0.3) labels.push(GENERIC_LABELS[rng.int(GENERIC_LABELS.length)]);
    const embedding = new Float64Array(EMBEDDING_DIM);
    for (let d = 0; d < EMBEDDING_DIM; d++) embedding[d] = interest.centroid[d] + 0.15 * rng.normal();
    normalize(embedding);
    const creator = this.users[rng.int(this.users.length)];
    return {
      pinId: id,
      creatorId: creator.id,
      createdAt,
      category: interest.category,
      labels,
      // Rounded through float32 so the value equals what an Avro float round-trip returns.
      embedding: Array.from(Float32Array.from(embedding)),
      boardId: rng.next() < 0.7 ? `board-${creator.id}-${interest.index}` : null,
    };
  }

  /** One pin shown to one user: an impression, maybe followed by an action. */
  private view(t: number): EngagementEvent[] {
    const rng = this.streamRng;
    const user = this.userSampler.draw(rng.next())!;
    let pin: Pin | undefined;
    for (let attempt = 0; attempt < 4 && (!pin || user.excluded.has(pin.id)); attempt++) pin = this.choosePin(user, t);
    if (!pin || user.excluded.has(pin.id)) return [];
    const affinity = user.interests.get(pin.interest) ?? 0;
    const surfaceDraw = rng.next();
    const surface = surfaceDraw < 0.85 ? 'home_feed' : surfaceDraw < 0.95 ? 'search' : 'related';
    const events = [this.engagement(user, pin, 'impression', t, surface, Math.round(rng.exponential(1500)))];
    const action = this.drawAction(affinity, pin.quality);
    if (action) {
      const dwell = Math.round(rng.exponential(action === 'closeup' ? 15_000 : 6_000));
      events.push(this.engagement(user, pin, action, t + 200 + dwell, surface, dwell));
      if (action === 'save' || action === 'hide') user.excluded.add(pin.id);
    }
    return events;
  }

  private choosePin(user: User, t: number): Pin | undefined {
    const rng = this.streamRng;
    if (rng.next() >= this.config.onInterestShare) return this.allPins.draw(rng.next());
    const interest = this.interestList[user.interestSampler.draw(rng.next())!];
    if (rng.next() < FRESH_DRAW_SHARE) {
      while (interest.freshFrom < interest.byCreation.length && interest.byCreation[interest.freshFrom].createdAt < t - FRESH_WINDOW_MS) {
        interest.freshFrom++;
      }
      const fresh = interest.byCreation.slice(interest.freshFrom).filter((p) => p.createdAt <= t);
      if (fresh.length) {
        const total = fresh.reduce((s, p) => s + p.quality, 0);
        let target = rng.next() * total;
        for (const p of fresh) {
          target -= p.quality;
          if (target <= 0) return p;
        }
        return fresh[fresh.length - 1];
      }
    }
    return interest.pins.draw(rng.next());
  }

  /** Action probabilities: positive ones grow with interest weight and pin quality; hides hit off-interest pins. */
  private drawAction(affinity: number, quality: number): EngagementAction | undefined {
    const m = Math.min(2, Math.max(0.5, Math.sqrt(quality)));
    const p: Array<[EngagementAction, number]> = affinity > 0
      ? [['click', 0.08 * m], ['closeup', 0.07 * m], ['save', 0.06 * m * (0.6 + affinity)], ['share', 0.01 * m], ['hide', 0.008]]
      : [['click', 0.025], ['closeup', 0.012], ['save', 0.004], ['share', 0.001], ['hide', 0.1]];
    let u = this.streamRng.next();
    for (const [action, prob] of p) {
      if (u < prob) return action;
      u -= prob;
    }
    return undefined;
  }

  private engagement(user: User, pin: Pin, action: EngagementAction, eventTime: number, surface: string, dwellMs: number): EngagementEvent {
    return {
      eventId: `e${this.config.seed}-${this.eventCounter++}`,
      userId: user.id, pinId: pin.id, action, eventTime, surface, dwellMs, attributes: {},
    };
  }
}

function normalize(v: Float64Array): void {
  let norm = 0;
  for (let i = 0; i < v.length; i++) norm += v[i] * v[i];
  norm = Math.sqrt(norm) || 1;
  for (let i = 0; i < v.length; i++) v[i] /= norm;
}
