// Who may sign in at the front door, and what the gateway vouches for about them downstream.
// The demo has no passwords: a demo user's name is enough for a token (the README lists them).

/** The load generator's own user: its requests are synthetic, so tail sampling can keep only a share. */
export const SYNTHETIC_USER = 'load-generator';

export const DEMO_USERS: readonly string[] = ['alice', 'bob', 'carol', SYNTHETIC_USER];

export function isDemoUser(username: unknown): username is string {
  return typeof username === 'string' && DEMO_USERS.includes(username);
}

export function isSynthetic(user: string): boolean {
  return user === SYNTHETIC_USER;
}

/**
 * The baggage the gateway sets for a request: the only baggage downstream services see, since
 * what a client sends is dropped at this trust boundary. `synthetic=true` marks the load
 * generator's traffic (tail sampling keeps a sample of it and every trace a person caused).
 */
export function baggageFor(user: string | undefined): Record<string, string> {
  if (user === undefined) return {};
  return isSynthetic(user) ? { 'enduser.id': user, synthetic: 'true' } : { 'enduser.id': user };
}
