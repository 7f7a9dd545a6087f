import { runService } from '@hopscope/demo-shared';
import { payments } from './app.ts';

await runService(payments);
