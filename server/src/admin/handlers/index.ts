import type { AdminHandlers } from './types.js';
import { createCredential, listCredentials, revokeAllCredentials, revokeCredential, rotateCredential } from './credentials.js';
import { getBucketPermissions, listBuckets, putBucketPermissions } from './buckets.js';
import { getAudit, getGcStatus, getReadOnly, getStatus, runGc, setReadOnly } from './node.js';
import { drainNode, getClusterStatus, getRepairStatus, isolateNode, removeNode, runRepair } from './cluster.js';
import { addBlock, getIncidentStatus, listBlocklist, lockdown, removeBlock } from './incident.js';

/** One handler per route of the shared table (the type makes a missing one a compile error). */
export const HANDLERS: AdminHandlers = {
  createCredential,
  listCredentials,
  revokeAllCredentials,
  revokeCredential,
  rotateCredential,
  listBuckets,
  getBucketPermissions,
  putBucketPermissions,
  getReadOnly,
  setReadOnly,
  getStatus,
  runGc,
  getGcStatus,
  getAudit,
  lockdown,
  getIncidentStatus,
  listBlocklist,
  addBlock,
  removeBlock,
  getClusterStatus,
  drainNode,
  removeNode,
  isolateNode,
  runRepair,
  getRepairStatus,
};
