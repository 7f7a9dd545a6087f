import { runService } from '@hopscope/demo-shared';
import { gateway } from './app.ts';

await runService(gateway);
