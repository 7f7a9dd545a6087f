// Names a user gives to a breaker, policy, saga or step become label values and span names:
// a bounded, readable alphabet keeps them safe to index. A bad name is a programmer error,
// reported where it is written, not at export time.
const BOUNDED_NAME = /^[a-zA-Z0-9_.:-]{1,64}$/;

export function assertBoundedName(what: string, name: unknown): string {
  if (typeof name !== 'string' || !BOUNDED_NAME.test(name)) {
    const shown = typeof name === 'string' && name.length > 80 ? `${name.slice(0, 80)}…` : name;
    throw new TypeError(`${what} must be 1-64 characters of [a-zA-Z0-9_.:-], got ${JSON.stringify(shown)}`);
  }
  return name;
}
