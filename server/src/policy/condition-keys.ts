/**
 * Condition keys a bucket policy may test (AWS global keys and S3 keys). AWS refuses a
 * policy naming an unknown key, so we do too: a typo must not silently never match.
 */

const GLOBAL_KEYS = [
  'aws:SourceIp',
  'aws:SecureTransport',
  'aws:CurrentTime',
  'aws:EpochTime',
  'aws:UserAgent',
  'aws:Referer',
  'aws:username',
  'aws:userid',
  'aws:PrincipalArn',
  'aws:PrincipalAccount',
  'aws:PrincipalType',
  'aws:SourceVpc',
  'aws:SourceVpce',
  'aws:SourceArn',
  'aws:SourceAccount',
  'aws:SourceOwner',
  'aws:PrincipalOrgID',
  'aws:PrincipalOrgPaths',
  'aws:TokenIssueTime',
  'aws:MultiFactorAuthPresent',
  'aws:MultiFactorAuthAge',
  'aws:ViaAWSService',
  'aws:CalledVia',
  'aws:RequestedRegion',
  'aws:PrincipalIsAWSService',
  'aws:PrincipalServiceName',
  'aws:VpcSourceIp',
  'aws:TagKeys',
  'aws:SourceOrgID',
  'aws:ResourceAccount',
];

const S3_KEYS = [
  's3:prefix',
  's3:delimiter',
  's3:max-keys',
  's3:x-amz-acl',
  's3:x-amz-content-sha256',
  's3:signatureAge',
  's3:authType',
  's3:signatureversion',
  's3:x-amz-grant-read',
  's3:x-amz-grant-write',
  's3:x-amz-grant-read-acp',
  's3:x-amz-grant-write-acp',
  's3:x-amz-grant-full-control',
  's3:x-amz-copy-source',
  's3:x-amz-metadata-directive',
  's3:x-amz-server-side-encryption',
  's3:x-amz-server-side-encryption-aws-kms-key-id',
  's3:x-amz-storage-class',
  's3:x-amz-website-redirect-location',
  's3:VersionId',
  's3:LocationConstraint',
  's3:RequestObjectTagKeys',
  's3:TlsVersion',
  's3:ResourceAccount',
  's3:AccessPointNetworkOrigin',
  's3:DataAccessPointArn',
  's3:DataAccessPointAccount',
  's3:object-lock-mode',
  's3:object-lock-retain-until-date',
  's3:object-lock-remaining-retention-days',
  's3:object-lock-legal-hold',
  's3:x-amz-object-ownership',
  's3:if-match',
  's3:if-none-match',
  's3:ExistingObjectTag',
  's3:RequestObjectTag',
  's3:x-amz-checksum-algorithm',
];

/** Keys with a free-form suffix, e.g. `s3:ExistingObjectTag/<tag key>`. */
const PREFIX_KEYS = ['aws:PrincipalTag/', 'aws:RequestTag/', 'aws:ResourceTag/', 's3:ExistingObjectTag/', 's3:RequestObjectTag/'];

const KNOWN: ReadonlySet<string> = new Set([...GLOBAL_KEYS, ...S3_KEYS].map((k) => k.toLowerCase()));
const PREFIXES_LOWER = PREFIX_KEYS.map((p) => p.toLowerCase());

/** Condition keys are case-insensitive; this is the form we index by. */
export function normalizeConditionKey(key: string): string {
  return key.toLowerCase();
}

export function isKnownConditionKey(key: string): boolean {
  const k = key.toLowerCase();
  if (KNOWN.has(k)) return true;
  return PREFIXES_LOWER.some((p) => k.startsWith(p) && k.length > p.length && k.length <= p.length + 128);
}
