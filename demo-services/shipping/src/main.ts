import { runService } from '@hopscope/demo-shared';
import { shipping } from './app.ts';

await runService(shipping);
