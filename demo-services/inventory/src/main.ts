import { runService } from '@hopscope/demo-shared';
import { inventory } from './app.ts';

await runService(inventory);
