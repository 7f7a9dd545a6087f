import { runService } from '@hopscope/demo-shared';
import { bank } from './app.ts';

await runService(bank);
