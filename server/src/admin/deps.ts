import type { S3Deps } from '../s3/deps.js';
import type { GcScheduler } from '../model/gc-scheduler.js';

/** What the admin plane needs: everything the S3 plane has, plus the GC scheduler. */
export interface AdminDeps extends S3Deps {
  gc: GcScheduler;
}
