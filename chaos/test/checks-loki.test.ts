// Counting a LogQL query's lines and their trace ids, from a streams result shaped as Loki's
// query_range returns it with `X-Loki-Response-Encoding-Flags: categorize-labels` (the real
// Loki is exercised in test/stack/chaos-checks.test.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { judgeLines, linesOf } from '../src/checks/loki.ts';

const TRACE_A = '4bf92f3577b34da6a3ce929d0e0e4736';
const TRACE_B = '00f067aa0ba902b7a3ce929d0e0e4736';

const streams = {
  resultType: 'streams',
  result: [
    {
      stream: { service_name: 'payments' },
      values: [
        ['1700000000000000300', 'breaker opened', { structuredMetadata: { trace_id: TRACE_B } }],
        ['1700000000000000100', 'payment declined', { structuredMetadata: { trace_id: TRACE_A }, parsed: {} }],
      ] as Array<[string, string, { structuredMetadata?: Record<string, string> }?]>,
    },
    {
      stream: { service_name: 'bank' },
      values: [
        ['1700000000000000200', 'listening', {}],
        ['1700000000000000050', 'outside a span', { structuredMetadata: { trace_id: '0'.repeat(32) } }],
      ] as Array<[string, string, { structuredMetadata?: Record<string, string> }?]>,
    },
  ],
};

test('lines of every stream are merged newest first, each with its trace_id metadata', () => {
  const lines = linesOf(streams);
  assert.deepEqual(
    lines.map((l) => [l.line, l.traceId]),
    [
      ['breaker opened', TRACE_B],
      ['listening', undefined],
      ['payment declined', TRACE_A],
      ['outside a span', '0'.repeat(32)],
    ],
  );
});

test('the count is compared (default "> 0"); the newest trace id is returned', () => {
  const lines = linesOf(streams);
  assert.deepEqual(judgeLines(lines, undefined), {
    holds: true,
    observed: '4 lines, newest trace 00f067aa0ba9…',
    traceId: TRACE_B,
  });
  assert.deepEqual(judgeLines(lines, { lines: '< 3' }), {
    holds: false,
    observed: '4 lines, not < 3, newest trace 00f067aa0ba9…',
    traceId: TRACE_B,
  });
  assert.deepEqual(judgeLines([], undefined), { holds: false, observed: '0 lines, not > 0' });
});

test('traceId: every line must carry a valid trace id; an all-zero id is none', () => {
  const seen = judgeLines(linesOf(streams), { traceId: true });
  assert.equal(seen.holds, false);
  assert.equal(seen.observed, '4 lines, 2 without a trace id, e.g. "listening", newest trace 00f067aa0ba9…');
  const traced = linesOf(streams).filter((l) => l.line !== 'listening' && l.line !== 'outside a span');
  assert.deepEqual(judgeLines(traced, { lines: '== 2', traceId: true }), {
    holds: true,
    observed: '2 lines, all with a trace id, newest trace 00f067aa0ba9…',
    traceId: TRACE_B,
  });
});
