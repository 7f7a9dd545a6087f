import { runService } from '@hopscope/demo-shared';
import { notifications } from './app.ts';

await runService(notifications);
