import { runService } from '@hopscope/demo-shared';
import { orderView } from './app.ts';

await runService(orderView);
