// Each night, the clean SMS list of every venue that asked for it, written as CSV into its
// directory. Written to a temporary name and renamed, so a reader never sees half a file.
import { createWriteStream, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { listVenues } from '../venues/venues.ts';
import { exportActiveSms } from '../consent/lists.ts';
import type { Job } from './job.ts';

export const exportActiveListJob: Job = {
  name: 'export-active-list',
  schedule: '41 4 * * *',
  async run({ db, now, cipher }) {
    if (!cipher) throw new Error('export_active_list_cipher: the job needs the field cipher to read numbers');
    let files = 0;
    for (const venue of await listVenues(db)) {
      const dir = venue.settings.activeListExportDir;
      if (!dir) continue;
      mkdirSync(dir, { recursive: true });
      const day = new Date(now()).toISOString().slice(0, 10);
      const file = join(dir, `${venue.slug}-sms-active-${day}.csv`);
      await pipeline(
        Readable.from(exportActiveSms(db, cipher, venue.id, 'csv')),
        createWriteStream(`${file}.partial`, { mode: 0o600 }),
      );
      renameSync(`${file}.partial`, file);
      files++;
    }
    return { files };
  },
};
