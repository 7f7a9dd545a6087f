import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatValue, parseComparison, parseSampleValue, satisfies } from '../src/checks/comparison.ts';
import { substitute } from '../src/checks/context.ts';

test('a comparison is parsed with its operator and threshold, and applied', () => {
  const cases: Array<[string, number, boolean]> = [
    ['== 1', 1, true],
    ['== 1', 1.5, false],
    ['!= 0', 2, true],
    ['!= 0', 0, false],
    ['> 0', 0.001, true],
    ['> 0', 0, false],
    ['>= 2', 2, true],
    ['< 0.05', 0.049, true],
    ['< 0.05', 0.05, false],
    ['<= -1', -1, true],
    ['<=-1', -0.5, false],
  ];
  for (const [text, value, expected] of cases) {
    assert.equal(satisfies(value, parseComparison(text)), expected, `${value} ${text}`);
  }
  assert.deepEqual(parseComparison('<0.05'), { operator: '<', threshold: 0.05, text: '< 0.05' });
});

test('a text that is not a comparison is refused, quoted', () => {
  for (const text of ['1', '=> 1', '== one', '', '~ 3']) {
    assert.throws(() => parseComparison(text), new RegExp(`not a comparison: ${JSON.stringify(text)}`));
  }
});

test('NaN satisfies no comparison, not even !=; infinities compare as numbers', () => {
  const nan = parseSampleValue('NaN');
  assert.ok(Number.isNaN(nan));
  for (const text of ['== 0', '!= 0', '> 0', '< 0', '>= 0', '<= 0']) {
    assert.equal(satisfies(nan, parseComparison(text)), false, text);
  }
  assert.equal(parseSampleValue('+Inf'), Infinity);
  assert.equal(parseSampleValue('-Inf'), -Infinity);
  assert.equal(satisfies(Infinity, parseComparison('> 1000')), true);
  assert.equal(satisfies(-Infinity, parseComparison('< 0')), true);
});

test('values are shown as a person reads them', () => {
  assert.equal(formatValue(1), '1');
  assert.equal(formatValue(0.1 + 0.2), '0.3');
  assert.equal(formatValue(0.049999999), '0.05');
  assert.equal(formatValue(1234567), '1234570');
  assert.equal(formatValue(NaN), 'NaN');
  assert.equal(formatValue(-Infinity), '-Inf');
});

test('$namespace and ${namespace} are replaced, nothing else', () => {
  assert.equal(
    substitute('sum(rate(x{namespace="$namespace", ns="${namespace}"}[1m])) $namespaces $other', { namespace: 'demo' }),
    'sum(rate(x{namespace="demo", ns="demo"}[1m])) $namespaces $other',
  );
});
