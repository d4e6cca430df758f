/** The fields each part of a definition may have, by state type and query language (AWS's States Language). */

export const STATE_TYPES = ['Pass', 'Task', 'Choice', 'Wait', 'Succeed', 'Fail', 'Parallel', 'Map'] as const;
export type StateType = (typeof STATE_TYPES)[number];

export const TOP_LEVEL_FIELDS = new Set([
  'Comment',
  'StartAt',
  'States',
  'TimeoutSeconds',
  'Version',
  'QueryLanguage',
]);
export const BRANCH_FIELDS = new Set(['Comment', 'StartAt', 'States', 'ProcessorConfig']);

export const JSONPATH_ONLY = [
  'InputPath',
  'OutputPath',
  'Parameters',
  'ResultPath',
  'ResultSelector',
  'ItemsPath',
];
export const JSONATA_ONLY = ['Output', 'Arguments', 'Items'];

const TRANSITION = ['Next', 'End'];
/** The input and output processing of a state that produces a result (Task, Parallel, Map). */
const RESULT_PROCESSING = [
  'InputPath',
  'OutputPath',
  'Parameters',
  'ResultPath',
  'ResultSelector',
  'Output',
  'Arguments',
  'Assign',
];
const ERROR_HANDLING = ['Retry', 'Catch'];

/** Fields each state type accepts, in either language (language-only fields are checked separately). */
export const FIELDS_BY_TYPE: Record<StateType, string[]> = {
  Pass: [...TRANSITION, 'InputPath', 'OutputPath', 'Parameters', 'ResultPath', 'Result', 'Output', 'Assign'],
  Task: [
    ...TRANSITION,
    ...RESULT_PROCESSING,
    ...ERROR_HANDLING,
    'Resource',
    'TimeoutSeconds',
    'TimeoutSecondsPath',
    'HeartbeatSeconds',
    'HeartbeatSecondsPath',
    'Credentials',
  ],
  Choice: ['InputPath', 'OutputPath', 'Output', 'Assign', 'Choices', 'Default'],
  Wait: [
    ...TRANSITION,
    'InputPath',
    'OutputPath',
    'Output',
    'Assign',
    'Seconds',
    'SecondsPath',
    'Timestamp',
    'TimestampPath',
  ],
  Succeed: ['InputPath', 'OutputPath', 'Output'],
  Fail: ['Error', 'ErrorPath', 'Cause', 'CausePath'],
  Parallel: [...TRANSITION, ...RESULT_PROCESSING, ...ERROR_HANDLING, 'Branches'],
  Map: [
    ...TRANSITION,
    ...RESULT_PROCESSING,
    ...ERROR_HANDLING,
    'Items',
    'ItemsPath',
    'ItemSelector',
    'ItemProcessor',
    'Iterator',
    'ItemReader',
    'ItemBatcher',
    'ResultWriter',
    'MaxConcurrency',
    'MaxConcurrencyPath',
    'ToleratedFailurePercentage',
    'ToleratedFailurePercentagePath',
    'ToleratedFailureCount',
    'ToleratedFailureCountPath',
    'Label',
  ],
};

export const COMMON_FIELDS = ['Type', 'Comment', 'QueryLanguage'];

/** `arn:partition:service:region:account:resource`; region and account may be empty (`arn:aws:states:::lambda:invoke`). */
export const RESOURCE_ARN = /^arn:[^:\s]+:[^:\s]+:[^:\s]*:[^:\s]*:\S+$/;
