import { runService } from '@hopscope/demo-shared';
import { orders } from './app.ts';

await runService(orders);
