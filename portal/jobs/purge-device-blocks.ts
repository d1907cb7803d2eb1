// Device blocks (access/device-blocks.ts) refuse nothing once they end; they are dropped
// hourly so the table holds only the blocks in force.
import { purgeEndedBlocks } from '../access/device-blocks.ts';
import type { Job } from './job.ts';

export const purgeDeviceBlocksJob: Job = {
  name: 'purge-device-blocks',
  schedule: '17 * * * *',
  async run({ db, now }) {
    return { deleted: await purgeEndedBlocks(db, now()) };
  },
};
