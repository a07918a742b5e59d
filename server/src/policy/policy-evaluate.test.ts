import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateBucketPolicy, getPolicyStatus, type ConditionContext, type PolicyDecision } from './policy-evaluate.js';
import { parseBucketPolicy } from './policy-parse.js';
import { canonicalUserId, principalContext, type Principal } from './principal.js';

const B = 'photos';
const OBJ = 'arn:aws:s3:::photos/*';
const anon: Principal = { kind: 'anonymous' };
const bob: Principal = { kind: 'user', user: 'bob', accessKey: 'AKIAB', role: 'user' };
const carol: Principal = { kind: 'user', user: 'carol', accessKey: 'AKIAC', role: 'user' };

interface Req {
  principal?: Principal;
  action?: string;
  resource?: string;
  context?: ConditionContext;
}

function evaluate(statements: object | object[], req: Req = {}, version = '2012-10-17'): PolicyDecision {
  const policy = parseBucketPolicy(JSON.stringify({ Version: version, Statement: statements }), B);
  const principal = req.principal ?? bob;
  return evaluateBucketPolicy(policy, {
    principal,
    action: req.action ?? 's3:GetObject',
    resourceArn: req.resource ?? 'arn:aws:s3:::photos/k',
    context: { ...principalContext(principal), ...req.context },
  });
}

const allow = (over: object = {}): object => ({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: OBJ, ...over });
const cond = (condition: object): object => allow({ Condition: condition });

interface Case {
  name: string;
  statements: object | object[];
  req?: Req;
  want: PolicyDecision;
  version?: string;
}

const cases: Case[] = [
  // Effects and precedence
  { name: 'Allow applies', statements: allow(), want: 'allow' },
  { name: 'nothing applies', statements: allow({ Action: 's3:PutObject' }), want: 'none' },
  { name: 'Deny wins over Allow (order 1)', statements: [allow(), allow({ Effect: 'Deny' })], want: 'deny' },
  { name: 'Deny wins over Allow (order 2)', statements: [allow({ Effect: 'Deny' }), allow()], want: 'deny' },

  // Principal
  { name: '* covers anonymous', statements: allow(), req: { principal: anon }, want: 'allow' },
  { name: 'AWS * covers anonymous', statements: allow({ Principal: { AWS: '*' } }), req: { principal: anon }, want: 'allow' },
  { name: 'account covers users', statements: allow({ Principal: { AWS: '000000000000' } }), want: 'allow' },
  {
    name: 'account does not cover anonymous',
    statements: allow({ Principal: { AWS: 'arn:aws:iam::000000000000:root' } }),
    req: { principal: anon },
    want: 'none',
  },
  { name: 'named user', statements: allow({ Principal: { AWS: 'arn:aws:iam::000000000000:user/bob' } }), want: 'allow' },
  {
    name: 'named user is not another user',
    statements: allow({ Principal: { AWS: 'user:bob' } }),
    req: { principal: carol },
    want: 'none',
  },
  { name: 'canonical user', statements: allow({ Principal: { CanonicalUser: canonicalUserId('bob') } }), want: 'allow' },
  { name: 'service principal matches no user', statements: allow({ Principal: { Service: 'logging.s3.amazonaws.com' } }), want: 'none' },
  {
    name: 'NotPrincipal Deny hits others',
    statements: allow({ Effect: 'Deny', Principal: undefined, NotPrincipal: { AWS: 'user:bob' } }),
    req: { principal: carol },
    want: 'deny',
  },
  {
    name: 'NotPrincipal Deny spares the named',
    statements: allow({ Effect: 'Deny', Principal: undefined, NotPrincipal: { AWS: 'user:bob' } }),
    want: 'none',
  },
  {
    name: 'NotPrincipal Deny hits anonymous',
    statements: allow({ Effect: 'Deny', Principal: undefined, NotPrincipal: { AWS: 'user:bob' } }),
    req: { principal: anon },
    want: 'deny',
  },

  // Action
  { name: 'actions are case-insensitive', statements: allow({ Action: 'S3:getobject' }), want: 'allow' },
  { name: 's3:* covers everything', statements: allow({ Action: 's3:*' }), req: { action: 's3:DeleteObject' }, want: 'allow' },
  { name: 's3:Get* covers GetObjectAcl', statements: allow({ Action: 's3:Get*' }), req: { action: 's3:GetObjectAcl' }, want: 'allow' },
  { name: 's3:Get* does not cover PutObject', statements: allow({ Action: 's3:Get*' }), req: { action: 's3:PutObject' }, want: 'none' },
  { name: '? is one character', statements: allow({ Action: 's3:?etObject' }), want: 'allow' },
  {
    name: 'NotAction Allow grants the rest',
    statements: allow({ NotAction: 's3:DeleteObject', Action: undefined }),
    req: { action: 's3:PutObject' },
    want: 'allow',
  },
  {
    name: 'NotAction Allow excludes the listed',
    statements: allow({ NotAction: 's3:DeleteObject', Action: undefined }),
    req: { action: 's3:DeleteObject' },
    want: 'none',
  },
  {
    name: 'NotAction Deny denies all but the listed',
    statements: allow({ Effect: 'Deny', NotAction: ['s3:GetObject', 's3:ListBucket'], Action: undefined }),
    req: { action: 's3:PutObject' },
    want: 'deny',
  },

  // Resource
  { name: 'bucket/* covers deep keys', statements: allow(), req: { resource: 'arn:aws:s3:::photos/a/b/c.jpg' }, want: 'allow' },
  {
    name: 'bucket/* does not cover the bucket',
    statements: allow({ Action: 's3:ListBucket' }),
    req: { action: 's3:ListBucket', resource: 'arn:aws:s3:::photos' },
    want: 'none',
  },
  {
    name: 'bucket ARN covers ListBucket',
    statements: allow({ Action: 's3:ListBucket', Resource: 'arn:aws:s3:::photos' }),
    req: { action: 's3:ListBucket', resource: 'arn:aws:s3:::photos' },
    want: 'allow',
  },
  {
    name: 'resources are case-sensitive',
    statements: allow({ Resource: 'arn:aws:s3:::photos/Public/*' }),
    req: { resource: 'arn:aws:s3:::photos/public/x' },
    want: 'none',
  },
  {
    name: '? in resources',
    statements: allow({ Resource: 'arn:aws:s3:::photos/img?.png' }),
    req: { resource: 'arn:aws:s3:::photos/img7.png' },
    want: 'allow',
  },
  {
    name: 'NotResource Deny protects all but one prefix',
    statements: allow({ Effect: 'Deny', Resource: undefined, NotResource: 'arn:aws:s3:::photos/public/*' }),
    req: { resource: 'arn:aws:s3:::photos/private/x' },
    want: 'deny',
  },
  {
    name: 'NotResource Deny leaves the prefix',
    statements: allow({ Effect: 'Deny', Resource: undefined, NotResource: 'arn:aws:s3:::photos/public/*' }),
    req: { resource: 'arn:aws:s3:::photos/public/x' },
    want: 'none',
  },

  // Variables
  {
    name: '${aws:username} in Resource',
    statements: allow({ Resource: 'arn:aws:s3:::photos/home/${aws:username}/*' }),
    req: { resource: 'arn:aws:s3:::photos/home/bob/f' },
    want: 'allow',
  },
  {
    name: '${aws:username} is not another home',
    statements: allow({ Resource: 'arn:aws:s3:::photos/home/${aws:username}/*' }),
    req: { resource: 'arn:aws:s3:::photos/home/carol/f' },
    want: 'none',
  },
  {
    name: 'missing variable: resource matches nothing',
    statements: allow({ Resource: 'arn:aws:s3:::photos/home/${aws:username}/*' }),
    req: { principal: anon, resource: 'arn:aws:s3:::photos/home//f' },
    want: 'none',
  },
  {
    name: 'variable default value',
    statements: allow({ Resource: "arn:aws:s3:::photos/home/${aws:username, 'guest'}/*" }),
    req: { principal: anon, resource: 'arn:aws:s3:::photos/home/guest/f' },
    want: 'allow',
  },
  {
    name: 'variables are literal in 2008-10-17',
    version: '2008-10-17',
    statements: allow({ Resource: 'arn:aws:s3:::photos/home/${aws:username}/*' }),
    req: { resource: 'arn:aws:s3:::photos/home/bob/f' },
    want: 'none',
  },
  {
    name: 'escape ${*} is a literal star',
    statements: allow({ Resource: 'arn:aws:s3:::photos/star${*}' }),
    req: { resource: 'arn:aws:s3:::photos/star*' },
    want: 'allow',
  },
  {
    name: 'escape ${*} is not a wildcard',
    statements: allow({ Resource: 'arn:aws:s3:::photos/star${*}' }),
    req: { resource: 'arn:aws:s3:::photos/starx' },
    want: 'none',
  },
  {
    name: 'variable in a condition value',
    statements: cond({ StringLike: { 's3:prefix': 'home/${aws:username}/*' } }),
    req: { context: { 's3:prefix': 'home/bob/docs' } },
    want: 'allow',
  },
  {
    name: 'variable in a condition value, other user',
    statements: cond({ StringLike: { 's3:prefix': 'home/${aws:username}/*' } }),
    req: { principal: carol, context: { 's3:prefix': 'home/bob/docs' } },
    want: 'none',
  },
  {
    name: 'missing variable: StringEquals false',
    statements: cond({ StringEquals: { 's3:prefix': '${aws:username}' } }),
    req: { principal: anon, context: { 's3:prefix': '' } },
    want: 'none',
  },
  {
    name: 'missing variable: StringNotEquals true',
    statements: cond({ StringNotEquals: { 's3:prefix': '${aws:username}' } }),
    req: { principal: anon, context: { 's3:prefix': 'x' } },
    want: 'allow',
  },

  // String operators
  {
    name: 'StringEquals match',
    statements: cond({ StringEquals: { 's3:x-amz-acl': 'private' } }),
    req: { context: { 's3:x-amz-acl': 'private' } },
    want: 'allow',
  },
  {
    name: 'StringEquals is case-sensitive',
    statements: cond({ StringEquals: { 's3:x-amz-acl': 'private' } }),
    req: { context: { 's3:x-amz-acl': 'PRIVATE' } },
    want: 'none',
  },
  {
    name: 'StringEquals: values are ORed',
    statements: cond({ StringEquals: { 's3:x-amz-acl': ['a', 'private'] } }),
    req: { context: { 's3:x-amz-acl': 'private' } },
    want: 'allow',
  },
  {
    name: 'StringEquals: * is literal',
    statements: cond({ StringEquals: { 's3:prefix': 'a*' } }),
    req: { context: { 's3:prefix': 'abc' } },
    want: 'none',
  },
  { name: 'StringEquals: missing key is false', statements: cond({ StringEquals: { 's3:x-amz-acl': 'private' } }), want: 'none' },
  {
    name: 'StringNotEquals match',
    statements: cond({ StringNotEquals: { 's3:x-amz-acl': 'public-read' } }),
    req: { context: { 's3:x-amz-acl': 'private' } },
    want: 'allow',
  },
  {
    name: 'StringNotEquals no match',
    statements: cond({ StringNotEquals: { 's3:x-amz-acl': ['public-read', 'private'] } }),
    req: { context: { 's3:x-amz-acl': 'private' } },
    want: 'none',
  },
  { name: 'StringNotEquals: missing key is true', statements: cond({ StringNotEquals: { 's3:x-amz-acl': 'public-read' } }), want: 'allow' },
  {
    name: 'StringEqualsIgnoreCase',
    statements: cond({ StringEqualsIgnoreCase: { 'aws:UserAgent': 'AWS-CLI' } }),
    req: { context: { 'aws:UserAgent': 'aws-cli' } },
    want: 'allow',
  },
  {
    name: 'StringNotEqualsIgnoreCase',
    statements: cond({ StringNotEqualsIgnoreCase: { 'aws:UserAgent': 'AWS-CLI' } }),
    req: { context: { 'aws:UserAgent': 'aws-cli' } },
    want: 'none',
  },
  {
    name: 'StringLike',
    statements: cond({ StringLike: { 'aws:Referer': 'https://example.com/*' } }),
    req: { context: { 'aws:Referer': 'https://example.com/page' } },
    want: 'allow',
  },
  {
    name: 'StringLike no match',
    statements: cond({ StringLike: { 'aws:Referer': 'https://example.com/*' } }),
    req: { context: { 'aws:Referer': 'https://evil.com/example.com/' } },
    want: 'none',
  },
  {
    name: 'StringNotLike',
    statements: cond({ StringNotLike: { 'aws:Referer': 'https://example.com/*' } }),
    req: { context: { 'aws:Referer': 'https://evil.com/' } },
    want: 'allow',
  },
  {
    name: 'StringNotLike missing key is true',
    statements: cond({ StringNotLike: { 'aws:Referer': 'https://example.com/*' } }),
    want: 'allow',
  },
  {
    name: 'condition keys are case-insensitive',
    statements: cond({ StringEquals: { 'AWS:REFERER': 'r' } }),
    req: { context: { 'aws:referer': 'r' } },
    want: 'allow',
  },

  // Numeric
  {
    name: 'NumericLessThanEquals true',
    statements: cond({ NumericLessThanEquals: { 's3:max-keys': '10' } }),
    req: { context: { 's3:max-keys': '10' } },
    want: 'allow',
  },
  {
    name: 'NumericLessThanEquals false',
    statements: cond({ NumericLessThanEquals: { 's3:max-keys': 10 } }),
    req: { context: { 's3:max-keys': '11' } },
    want: 'none',
  },
  {
    name: 'NumericLessThan',
    statements: cond({ NumericLessThan: { 's3:max-keys': 10 } }),
    req: { context: { 's3:max-keys': '10' } },
    want: 'none',
  },
  {
    name: 'NumericGreaterThan',
    statements: cond({ NumericGreaterThan: { 's3:signatureAge': 600000 } }),
    req: { context: { 's3:signatureAge': '700000' } },
    want: 'allow',
  },
  {
    name: 'NumericGreaterThanEquals',
    statements: cond({ NumericGreaterThanEquals: { 's3:max-keys': 5 } }),
    req: { context: { 's3:max-keys': '5' } },
    want: 'allow',
  },
  {
    name: 'NumericEquals',
    statements: cond({ NumericEquals: { 's3:max-keys': 5 } }),
    req: { context: { 's3:max-keys': '5.0' } },
    want: 'allow',
  },
  {
    name: 'NumericNotEquals',
    statements: cond({ NumericNotEquals: { 's3:max-keys': 5 } }),
    req: { context: { 's3:max-keys': '6' } },
    want: 'allow',
  },
  {
    name: 'Numeric on a non-number is false',
    statements: cond({ NumericLessThan: { 's3:max-keys': 10 } }),
    req: { context: { 's3:max-keys': 'abc' } },
    want: 'none',
  },
  { name: 'Numeric missing key is false', statements: cond({ NumericLessThan: { 's3:max-keys': 10 } }), want: 'none' },

  // Date
  {
    name: 'DateLessThan (ISO)',
    statements: cond({ DateLessThan: { 'aws:CurrentTime': '2030-01-01T00:00:00Z' } }),
    req: { context: { 'aws:CurrentTime': '2025-06-01T12:00:00Z' } },
    want: 'allow',
  },
  {
    name: 'DateLessThan expired',
    statements: cond({ DateLessThan: { 'aws:CurrentTime': '2020-01-01T00:00:00Z' } }),
    req: { context: { 'aws:CurrentTime': '2025-06-01T12:00:00Z' } },
    want: 'none',
  },
  {
    name: 'DateGreaterThan (epoch policy, ISO request)',
    statements: cond({ DateGreaterThan: { 'aws:CurrentTime': '1577836800' } }),
    req: { context: { 'aws:CurrentTime': '2025-06-01T12:00:00Z' } },
    want: 'allow',
  },
  {
    name: 'DateGreaterThanEquals on aws:EpochTime',
    statements: cond({ DateGreaterThanEquals: { 'aws:EpochTime': '2025-06-01T12:00:00Z' } }),
    req: { context: { 'aws:EpochTime': '1748779200' } },
    want: 'allow',
  },
  {
    name: 'DateLessThanEquals',
    statements: cond({ DateLessThanEquals: { 'aws:CurrentTime': '2025-06-01T12:00:00Z' } }),
    req: { context: { 'aws:CurrentTime': '2025-06-01T12:00:00.000Z' } },
    want: 'allow',
  },
  {
    name: 'DateEquals',
    statements: cond({ DateEquals: { 'aws:CurrentTime': '2025-06-01' } }),
    req: { context: { 'aws:CurrentTime': '2025-06-01T00:00:00Z' } },
    want: 'allow',
  },
  {
    name: 'DateNotEquals',
    statements: cond({ DateNotEquals: { 'aws:CurrentTime': '2025-06-01' } }),
    req: { context: { 'aws:CurrentTime': '2025-06-02T00:00:00Z' } },
    want: 'allow',
  },
  {
    name: 'Date on garbage is false',
    statements: cond({ DateLessThan: { 'aws:CurrentTime': '2030-01-01' } }),
    req: { context: { 'aws:CurrentTime': 'soon' } },
    want: 'none',
  },

  // Bool
  {
    name: 'Bool true',
    statements: cond({ Bool: { 'aws:SecureTransport': 'true' } }),
    req: { context: { 'aws:SecureTransport': 'true' } },
    want: 'allow',
  },
  {
    name: 'Bool false vs true',
    statements: cond({ Bool: { 'aws:SecureTransport': 'false' } }),
    req: { context: { 'aws:SecureTransport': 'true' } },
    want: 'none',
  },
  {
    name: 'Bool JSON boolean',
    statements: cond({ Bool: { 'aws:SecureTransport': false } }),
    req: { context: { 'aws:SecureTransport': 'false' } },
    want: 'allow',
  },
  { name: 'Bool missing key is false', statements: cond({ Bool: { 'aws:SecureTransport': 'false' } }), want: 'none' },
  { name: 'BoolIfExists missing key is true', statements: cond({ BoolIfExists: { 'aws:SecureTransport': 'false' } }), want: 'allow' },

  // IP
  {
    name: 'IpAddress inside',
    statements: cond({ IpAddress: { 'aws:SourceIp': '192.168.0.0/16' } }),
    req: { context: { 'aws:SourceIp': '192.168.3.4' } },
    want: 'allow',
  },
  {
    name: 'IpAddress outside',
    statements: cond({ IpAddress: { 'aws:SourceIp': '192.168.0.0/16' } }),
    req: { context: { 'aws:SourceIp': '10.0.0.1' } },
    want: 'none',
  },
  {
    name: 'IpAddress IPv6',
    statements: cond({ IpAddress: { 'aws:SourceIp': ['10.0.0.0/8', '2001:db8::/32'] } }),
    req: { context: { 'aws:SourceIp': '2001:db8::5' } },
    want: 'allow',
  },
  {
    name: 'IpAddress with v4-mapped request',
    statements: cond({ IpAddress: { 'aws:SourceIp': '127.0.0.1' } }),
    req: { context: { 'aws:SourceIp': '::ffff:127.0.0.1' } },
    want: 'allow',
  },
  {
    name: 'NotIpAddress outside',
    statements: cond({ NotIpAddress: { 'aws:SourceIp': '192.168.0.0/16' } }),
    req: { context: { 'aws:SourceIp': '10.0.0.1' } },
    want: 'allow',
  },
  {
    name: 'NotIpAddress inside',
    statements: cond({ NotIpAddress: { 'aws:SourceIp': '192.168.0.0/16' } }),
    req: { context: { 'aws:SourceIp': '192.168.0.1' } },
    want: 'none',
  },
  { name: 'IpAddress missing key is false', statements: cond({ IpAddress: { 'aws:SourceIp': '0.0.0.0/0' } }), want: 'none' },
  {
    name: 'IpAddress garbage request is false',
    statements: cond({ IpAddress: { 'aws:SourceIp': '0.0.0.0/0' } }),
    req: { context: { 'aws:SourceIp': 'unknown' } },
    want: 'none',
  },

  // Arn
  { name: 'ArnLike', statements: cond({ ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::000000000000:user/b*' } }), want: 'allow' },
  {
    name: 'ArnLike other user',
    statements: cond({ ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::000000000000:user/b*' } }),
    req: { principal: carol },
    want: 'none',
  },
  { name: 'ArnEquals exact', statements: cond({ ArnEquals: { 'aws:PrincipalArn': 'arn:aws:iam::000000000000:user/bob' } }), want: 'allow' },
  { name: 'ArnLike * does not cross fields', statements: cond({ ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*' } }), want: 'none' },
  { name: 'ArnLike per field wildcards', statements: cond({ ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:user/*' } }), want: 'allow' },
  {
    name: 'ArnNotEquals',
    statements: cond({ ArnNotEquals: { 'aws:PrincipalArn': 'arn:aws:iam::000000000000:user/carol' } }),
    want: 'allow',
  },
  { name: 'ArnNotLike', statements: cond({ ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::000000000000:user/b*' } }), want: 'none' },
  {
    name: 'ArnEquals on a non-ARN is false',
    statements: cond({ ArnEquals: { 'aws:Referer': 'arn:aws:iam::000000000000:user/bob' } }),
    req: { context: { 'aws:Referer': 'bob' } },
    want: 'none',
  },
  { name: 'ArnNotLike missing key is true', statements: cond({ ArnNotLike: { 'aws:SourceArn': 'arn:aws:s3:::x' } }), want: 'allow' },

  // IfExists
  {
    name: 'StringEqualsIfExists present and equal',
    statements: cond({ StringEqualsIfExists: { 's3:x-amz-acl': 'private' } }),
    req: { context: { 's3:x-amz-acl': 'private' } },
    want: 'allow',
  },
  {
    name: 'StringEqualsIfExists present and different',
    statements: cond({ StringEqualsIfExists: { 's3:x-amz-acl': 'private' } }),
    req: { context: { 's3:x-amz-acl': 'public-read' } },
    want: 'none',
  },
  { name: 'StringEqualsIfExists absent', statements: cond({ StringEqualsIfExists: { 's3:x-amz-acl': 'private' } }), want: 'allow' },
  { name: 'NumericLessThanIfExists absent', statements: cond({ NumericLessThanIfExists: { 's3:max-keys': 5 } }), want: 'allow' },
  { name: 'IpAddressIfExists absent', statements: cond({ IpAddressIfExists: { 'aws:SourceIp': '10.0.0.0/8' } }), want: 'allow' },

  // Null
  { name: 'Null true: key absent', statements: cond({ Null: { 's3:x-amz-acl': 'true' } }), want: 'allow' },
  {
    name: 'Null true: key present',
    statements: cond({ Null: { 's3:x-amz-acl': 'true' } }),
    req: { context: { 's3:x-amz-acl': 'private' } },
    want: 'none',
  },
  {
    name: 'Null false: key present',
    statements: cond({ Null: { 's3:x-amz-acl': 'false' } }),
    req: { context: { 's3:x-amz-acl': 'private' } },
    want: 'allow',
  },
  { name: 'Null false: key absent', statements: cond({ Null: { 's3:x-amz-acl': 'false' } }), want: 'none' },
  {
    name: 'Deny unless header present (Null true)',
    statements: [allow(), allow({ Effect: 'Deny', Condition: { Null: { 's3:x-amz-content-sha256': 'true' } } })],
    want: 'deny',
  },

  // Multi-valued keys
  {
    name: 'ForAnyValue: one matches',
    statements: cond({ 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['a', 'b'] } }),
    req: { context: { 'aws:TagKeys': ['x', 'b'] } },
    want: 'allow',
  },
  {
    name: 'ForAnyValue: none matches',
    statements: cond({ 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['a', 'b'] } }),
    req: { context: { 'aws:TagKeys': ['x', 'y'] } },
    want: 'none',
  },
  { name: 'ForAnyValue: missing key is false', statements: cond({ 'ForAnyValue:StringEquals': { 'aws:TagKeys': 'a' } }), want: 'none' },
  {
    name: 'ForAllValues: all match',
    statements: cond({ 'ForAllValues:StringEquals': { 'aws:TagKeys': ['a', 'b'] } }),
    req: { context: { 'aws:TagKeys': ['a', 'b'] } },
    want: 'allow',
  },
  {
    name: 'ForAllValues: one does not',
    statements: cond({ 'ForAllValues:StringEquals': { 'aws:TagKeys': ['a', 'b'] } }),
    req: { context: { 'aws:TagKeys': ['a', 'c'] } },
    want: 'none',
  },
  { name: 'ForAllValues: missing key is true', statements: cond({ 'ForAllValues:StringEquals': { 'aws:TagKeys': 'a' } }), want: 'allow' },
  {
    name: 'ForAllValues:StringNotEquals: none is listed',
    statements: cond({ 'ForAllValues:StringNotEquals': { 'aws:TagKeys': ['secret'] } }),
    req: { context: { 'aws:TagKeys': ['a', 'b'] } },
    want: 'allow',
  },
  {
    name: 'ForAllValues:StringNotEquals: one is listed',
    statements: cond({ 'ForAllValues:StringNotEquals': { 'aws:TagKeys': ['secret'] } }),
    req: { context: { 'aws:TagKeys': ['a', 'secret'] } },
    want: 'none',
  },
  {
    name: 'ForAnyValue:StringNotLike: one is outside',
    statements: cond({ 'ForAnyValue:StringNotLike': { 'aws:TagKeys': ['team*'] } }),
    req: { context: { 'aws:TagKeys': ['team-a', 'x'] } },
    want: 'allow',
  },
  {
    name: 'single-valued op over a multi-valued key: any',
    statements: cond({ StringEquals: { 'aws:TagKeys': 'b' } }),
    req: { context: { 'aws:TagKeys': ['a', 'b'] } },
    want: 'allow',
  },

  // Several conditions are ANDed
  {
    name: 'two operators both true',
    statements: cond({ Bool: { 'aws:SecureTransport': 'true' }, IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }),
    req: { context: { 'aws:SecureTransport': 'true', 'aws:SourceIp': '10.1.1.1' } },
    want: 'allow',
  },
  {
    name: 'two operators, one false',
    statements: cond({ Bool: { 'aws:SecureTransport': 'true' }, IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }),
    req: { context: { 'aws:SecureTransport': 'false', 'aws:SourceIp': '10.1.1.1' } },
    want: 'none',
  },
  {
    name: 'two keys under one operator, one false',
    statements: cond({ StringEquals: { 's3:prefix': 'a', 's3:delimiter': '/' } }),
    req: { context: { 's3:prefix': 'a', 's3:delimiter': '|' } },
    want: 'none',
  },
];

for (const c of cases) {
  test(`evaluate: ${c.name}`, () => {
    assert.equal(evaluate(c.statements, c.req, c.version), c.want);
  });
}

function status(statements: object | object[]): boolean {
  return getPolicyStatus(parseBucketPolicy(JSON.stringify({ Version: '2012-10-17', Statement: statements }), B)).isPublic;
}

const statusCases: [string, object | object[], boolean][] = [
  ['Principal * Allow is public', allow(), true],
  ['AWS * Allow is public', allow({ Principal: { AWS: '*' } }), true],
  ['named user is not public', allow({ Principal: { AWS: 'user:bob' } }), false],
  ['the account is not public', allow({ Principal: { AWS: '000000000000' } }), false],
  ['Deny * is not public', allow({ Effect: 'Deny' }), false],
  ['NotPrincipal Allow is public', allow({ Principal: undefined, NotPrincipal: { AWS: 'user:bob' } }), true],
  ['SourceIp CIDR restricts', cond({ IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } }), false],
  ['SourceIp 0.0.0.0/0 does not restrict', cond({ IpAddress: { 'aws:SourceIp': '0.0.0.0/0' } }), true],
  ['NotIpAddress does not restrict', cond({ NotIpAddress: { 'aws:SourceIp': '203.0.113.0/24' } }), true],
  ['IpAddressIfExists does not restrict', cond({ IpAddressIfExists: { 'aws:SourceIp': '203.0.113.0/24' } }), true],
  ['fixed PrincipalArn restricts', cond({ ArnEquals: { 'aws:PrincipalArn': 'arn:aws:iam::000000000000:user/bob' } }), false],
  ['wildcard PrincipalArn does not restrict', cond({ ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::000000000000:user/*' } }), true],
  ['fixed SourceVpce restricts', cond({ StringEquals: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } }), false],
  ['SecureTransport does not restrict', cond({ Bool: { 'aws:SecureTransport': 'true' } }), true],
  ['one public statement among private ones', [allow({ Principal: { AWS: 'user:bob' } }), allow({ Sid: 'pub' })], true],
];
for (const [name, statements, want] of statusCases) {
  test(`policy status: ${name}`, () => assert.equal(status(statements), want));
}
