import defaultPolicy from '../../config/policies/default.json';
import { parsePolicy } from '../../functions/src/domain/policy';

export const DEFAULT_POLICY = parsePolicy(defaultPolicy);
export const POLICY_JSON = JSON.stringify(defaultPolicy);
