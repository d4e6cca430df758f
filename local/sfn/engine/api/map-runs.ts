import { SfnApiError } from '../../errors';
import type { EngineCore } from './engine-core';
import { requireArn, requiredString, type WireInput, type WireOutput } from './wire';

/**
 * Map runs belong to Distributed Map states. This engine runs a `DISTRIBUTED` Map inline, like an inline
 * Map, so it never starts a map run: every map run ARN is unknown (ResourceNotFound, as AWS answers for
 * one that does not exist) and an execution lists none.
 */
function notFound(arn: string): SfnApiError {
  return new SfnApiError('ResourceNotFound', `Resource not found: '${arn}'`);
}

function requireMapRunArn(input: WireInput): string {
  const arn = requiredString(input, 'mapRunArn');
  requireArn(arn);
  return arn;
}

export function describeMapRun(_core: EngineCore, input: WireInput): WireOutput {
  throw notFound(requireMapRunArn(input));
}

export function updateMapRun(_core: EngineCore, input: WireInput): WireOutput {
  const arn = requireMapRunArn(input);
  if (
    input.maxConcurrency === undefined &&
    input.toleratedFailurePercentage === undefined &&
    input.toleratedFailureCount === undefined
  ) {
    throw new SfnApiError(
      'ValidationException',
      'At least one of maxConcurrency, toleratedFailurePercentage or toleratedFailureCount must be given',
    );
  }
  throw notFound(arn);
}

export function listMapRuns(core: EngineCore, input: WireInput): WireOutput {
  core.requireExecution(requiredString(input, 'executionArn'));
  return { mapRuns: [] };
}
