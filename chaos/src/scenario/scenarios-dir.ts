// Where the scenario files live: chaos/*.yaml, next to the README generated from them.
import { fileURLToPath } from 'node:url';

export const SCENARIOS_DIR = fileURLToPath(new URL('../..', import.meta.url));
