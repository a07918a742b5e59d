/** The parsed, validated form of a bucket policy that evaluation works on. */
import type { CidrBlock } from '../util/cidr.js';
import type { Pattern } from './pattern.js';

export type PolicyVersion = '2012-10-17' | '2008-10-17';

export type PrincipalSpec =
  | { kind: 'everyone' }
  | {
      kind: 'some';
      /** The whole Anode account: every signed-in user. */
      account: boolean;
      users: ReadonlySet<string>;
      canonicalIds: ReadonlySet<string>;
    };

export type StringOperator =
  'StringEquals' | 'StringNotEquals' | 'StringEqualsIgnoreCase' | 'StringNotEqualsIgnoreCase' | 'StringLike' | 'StringNotLike';
export type NumericOperator =
  'NumericEquals' | 'NumericNotEquals' | 'NumericLessThan' | 'NumericLessThanEquals' | 'NumericGreaterThan' | 'NumericGreaterThanEquals';
export type DateOperator =
  'DateEquals' | 'DateNotEquals' | 'DateLessThan' | 'DateLessThanEquals' | 'DateGreaterThan' | 'DateGreaterThanEquals';
export type ArnOperator = 'ArnEquals' | 'ArnLike' | 'ArnNotEquals' | 'ArnNotLike';
export type BaseOperator = StringOperator | NumericOperator | DateOperator | ArnOperator | 'Bool' | 'IpAddress' | 'NotIpAddress' | 'Null';

/** Policy-side values, already typed for their operator. */
export type ConditionValues =
  | { type: 'string'; patterns: Pattern[] }
  | { type: 'number'; numbers: number[] }
  | { type: 'date'; times: number[] }
  | { type: 'bool'; bools: boolean[] }
  | { type: 'cidr'; blocks: CidrBlock[] }
  | { type: 'null'; bools: boolean[] };

export interface ConditionTest {
  /** As written, e.g. `ForAnyValue:StringLikeIfExists`. */
  operator: string;
  base: BaseOperator;
  set: 'ForAnyValue' | 'ForAllValues' | null;
  ifExists: boolean;
  /** As written in the policy. */
  key: string;
  values: ConditionValues;
}

export interface PolicyStatement {
  /** Position in the Statement list, for messages. */
  index: number;
  sid: string | undefined;
  effect: 'Allow' | 'Deny';
  principal: PrincipalSpec;
  notPrincipal: boolean;
  /** Lowercased action patterns (actions match case-insensitively). */
  actions: Pattern[];
  notAction: boolean;
  resources: Pattern[];
  notResource: boolean;
  conditions: ConditionTest[];
}

export interface BucketPolicy {
  version: PolicyVersion;
  id: string | undefined;
  statements: PolicyStatement[];
}
