import type { AdminHandlers } from './types.js';
import { explainDenial, simulatePolicy } from './policy.js';
import { createCredential, listCredentials, revokeAllCredentials, revokeCredential, rotateCredential } from './credentials.js';
import { createBucket, deleteBucket, emptyBucket, getBucketPermissions, listBuckets, putBucketPermissions } from './buckets.js';
import { getAudit, getGcStatus, getReadOnly, getStatus, runGc, setReadOnly } from './node.js';
import { drainNode, getClusterStatus, getRepairStatus, isolateNode, removeNode, runRepair } from './cluster.js';
import { addBlock, getIncidentStatus, listBlocklist, lockdown, removeBlock, unlock } from './incident.js';
import { credentialsReport, resealCredentials } from './credential-tools.js';
import { createKey, getRewrapStatus, listKeys, retireKey, rewrapKey, rotateKey } from './keys.js';

/** One handler per route of the shared table (the type makes a missing one a compile error). */
export const HANDLERS: AdminHandlers = {
  createCredential,
  listCredentials,
  revokeAllCredentials,
  revokeCredential,
  rotateCredential,
  credentialsReport,
  resealCredentials,
  listBuckets,
  createBucket,
  deleteBucket,
  emptyBucket,
  getBucketPermissions,
  putBucketPermissions,
  simulatePolicy,
  explainDenial,
  getReadOnly,
  setReadOnly,
  getStatus,
  runGc,
  getGcStatus,
  getAudit,
  lockdown,
  unlock,
  getIncidentStatus,
  listBlocklist,
  addBlock,
  removeBlock,
  listKeys,
  createKey,
  rotateKey,
  rewrapKey,
  getRewrapStatus,
  retireKey,
  getClusterStatus,
  drainNode,
  removeNode,
  isolateNode,
  runRepair,
  getRepairStatus,
};
