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

/** Fields each state type accepts, in either language (language-only fields are checked separately). */
export const FIELDS_BY_TYPE: Record<StateType, string[]> = {
  Pass: ['Next', 'End', 'InputPath', 'OutputPath', 'Parameters', 'ResultPath', 'Result', 'Output', 'Assign'],
  Task: [
    'Next',
    'End',
    'InputPath',
    'OutputPath',
    'Parameters',
    'ResultPath',
    'ResultSelector',
    'Output',
    'Arguments',
    'Assign',
    'Resource',
    'TimeoutSeconds',
    'TimeoutSecondsPath',
    'HeartbeatSeconds',
    'HeartbeatSecondsPath',
    'Retry',
    'Catch',
    'Credentials',
  ],
  Choice: ['InputPath', 'OutputPath', 'Output', 'Assign', 'Choices', 'Default'],
  Wait: [
    'Next',
    'End',
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
  Parallel: [
    'Next',
    'End',
    'InputPath',
    'OutputPath',
    'Parameters',
    'ResultPath',
    'ResultSelector',
    'Output',
    'Arguments',
    'Assign',
    'Branches',
    'Retry',
    'Catch',
  ],
  Map: [
    'Next',
    'End',
    'InputPath',
    'OutputPath',
    'Parameters',
    'ResultPath',
    'ResultSelector',
    'Output',
    'Arguments',
    'Assign',
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
    'Retry',
    'Catch',
  ],
};

export const COMMON_FIELDS = ['Type', 'Comment', 'QueryLanguage'];

/** `arn:partition:service:region:account:resource`; region and account may be empty (`arn:aws:states:::lambda:invoke`). */
export const RESOURCE_ARN = /^arn:[^:\s]+:[^:\s]+:[^:\s]*:[^:\s]*:\S+$/;
