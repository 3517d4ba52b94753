import { context, trace, type Span } from '@opentelemetry/api';
import { markSpanFailed } from '../../telemetry/stage-span';
import type { ScoreRequest, ScoreResult, ScoringService } from '../../../core/scoring/scoring-service';

interface Round {
  readonly span: Span;
  pending: number;
  requests: number;
  failed: number;
}

/**
 * The scoring service as one step sees it: while that step has a span (a
 * traced batch), the requests it sends together form one round under a span
 * `scoring <model>`, a child of the step's span, ending when the last of them
 * settles. The score operator sends one request per record and the pool
 * batches them, so a span per request would be a span per record.
 */
export function tracedScoring(inner: ScoringService, stepSpan: () => Span | undefined): ScoringService {
  let round: Round | undefined;
  const settle = (r: Round, error?: unknown): void => {
    if (error !== undefined) r.failed++;
    r.pending--;
    if (r.pending > 0) return;
    r.span.setAttributes({ 'tributary.scoring.requests': r.requests, 'tributary.scoring.failed': r.failed });
    // Every request refused is the pool's trouble (a record's own fault leaves the others standing).
    if (r.failed === r.requests && error !== undefined) markSpanFailed(r.span, error);
    r.span.end();
    if (round === r) round = undefined;
  };
  return {
    score(request: ScoreRequest): Promise<ScoreResult> {
      const parent = stepSpan();
      if (!parent) return inner.score(request);
      round ??= {
        span: trace.getTracer('tributary').startSpan(`scoring ${request.model}`, { attributes: { 'tributary.scoring.model': request.model } }, trace.setSpan(context.active(), parent)),
        pending: 0,
        requests: 0,
        failed: 0,
      };
      const r = round;
      r.pending++;
      r.requests++;
      return inner.score(request).then(
        (result) => { settle(r); return result; },
        (error: unknown) => { settle(r, error); throw error; },
      );
    },
    close: () => inner.close(),
  };
}
