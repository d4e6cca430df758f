/** API answers for the console tests that route `/v1/*` in the browser (shapes of functions/src/http/schemas.ts). */
import type { AuditPage, ExecutionView, OrderSummary, OrderView } from '../../console/src/types';
import { buildWorkflowDefinition } from '../../lib/workflow-definition';

const now = Date.now();
const iso = (offsetMs: number) => new Date(now + offsetMs).toISOString();

export const ORDER_ID = '01JCONSOLEFIXTURE0000000001';
export const REFERENCE = 'KOMDIGI/2026/0042';

export const summary: OrderSummary = {
  id: ORDER_ID,
  agencyId: 'komdigi-ais',
  platformId: 'michat-sandbox',
  reference: REFERENCE,
  category: 'gambling',
  status: 'awaiting_platform',
  stage: 'st1',
  urgency: 'standard',
  createdAt: iso(-3_600_000),
  servedAt: iso(-3_500_000),
  servedVia: 'webhook',
  notifiedAt: iso(-3_500_000),
  deadlineAt: iso(20 * 3_600_000),
  clockPausedSince: null,
  itemCounts: { total: 2, pending: 1, resolved: 1, disputed: 0, withdrawn: 0 },
  itemsAccepted: 2,
  fine: { currency: 'IDR', accrued: 0 },
};

const item = (index: number, resolved: boolean) => ({
  id: `item-${index}`,
  kind: 'url' as const,
  locator: `https://judi.example/promo/${index}`,
  status: resolved ? ('resolved' as const) : ('pending' as const),
  outcome: resolved ? ('removed' as const) : null,
  reason: null,
  answeredAt: resolved ? iso(-1_000_000) : null,
  actedAt: null,
  onTime: resolved ? true : null,
  deadlineAt: iso(20 * 3_600_000),
  fineAccrued: 0,
  fine: null,
  duplicate: null,
});

export const view = {
  ...summary,
  legalBasis: ['UU ITE Pasal 27 ayat (2)'],
  reason: 'Promosi judi daring',
  territorialScope: ['ID'],
  officer: 'Petugas Uji',
  personalDataErasedAt: null,
  evidence: [],
  policy: { name: 'default', version: '1' },
  fine: { currency: 'IDR', model: 'flat', accrued: 0, fineIndices: null },
  items: [item(1, true), item(2, false)],
  nextItemsCursor: null,
  stageHistory: [
    { stage: 'order', at: iso(-3_600_000), deadlineAt: null },
    { stage: 'st1', at: iso(-3_500_000), deadlineAt: iso(20 * 3_600_000) },
  ],
  deliveries: [
    {
      at: iso(-3_500_000),
      noticeId: 'n1',
      channel: 'webhook',
      messageId: null,
      event: 'order.created',
      stage: 'st1',
      attempt: 1,
      part: 1,
      parts: 1,
      webhookId: 'msg_1',
      httpStatus: 200,
      latencyMs: 41,
      error: null,
    },
  ],
  notices: [],
  withdrawal: null,
  executionArn: `arn:aws:states:us-east-1:000000000000:execution:Tenggat-OrderWorkflow:${ORDER_ID}`,
  webhookHealth: {
    state: 'ok',
    lastAttemptAt: null,
    lastError: null,
    lastHttpStatus: 200,
    failingSince: null,
  },
  clarification: null,
  clarifications: [],
  duplicateCount: 0,
} as unknown as OrderView;

export const audit = {
  items: [1, 2, 3].map((seq) => ({
    seq,
    at: iso(-3_600_000 + seq * 1000),
    actor: { kind: 'agency', id: 'komdigi-ais' },
    action: ['submitted', 'served', 'answered'][seq - 1],
    stage: 'st1',
    details: {},
    digest: 'a'.repeat(64),
    previousDigest: '0'.repeat(64),
    personalDataDigest: null,
    personalDataErasedAt: null,
    signedHead: null,
  })),
  nextCursor: null,
  head: null,
  verification: { valid: true, checkedEvents: 3 },
} as unknown as AuditPage;

export const definition = buildWorkflowDefinition({
  deliverWebhook: 'arn:aws:lambda:us-east-1:000000000000:function:deliver',
  emailNotice: 'arn:aws:lambda:us-east-1:000000000000:function:email',
  workflowStep: 'arn:aws:lambda:us-east-1:000000000000:function:step',
});
const stateNames = Object.keys(definition.States);
export const CURRENT_STATE = stateNames[1] ?? '';

export const execution: ExecutionView = {
  executionArn: String(view.executionArn),
  stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:Tenggat-OrderWorkflow',
  name: ORDER_ID,
  status: 'RUNNING',
  startDate: iso(-3_600_000),
  stopDate: null,
  redriveCount: 0,
  redriveStatus: null,
  awsConsoleUrl: null,
  deployed: false,
  definition,
  currentStates: [CURRENT_STATE],
  visitedStates: stateNames.slice(0, 2),
  events: [
    {
      id: 1,
      timestamp: iso(-3_600_000),
      type: 'ExecutionStarted',
      stateName: null,
      input: '{"orderId":"x"}',
      output: null,
      error: null,
      cause: null,
    },
    {
      id: 2,
      timestamp: iso(-3_599_000),
      type: 'TaskStateEntered',
      stateName: stateNames[0] ?? '',
      input: '{"a":1}',
      output: null,
      error: null,
      cause: null,
    },
    {
      id: 3,
      timestamp: iso(-3_598_000),
      type: 'TaskStateExited',
      stateName: stateNames[0] ?? '',
      input: null,
      output: '{"next":"wait"}',
      error: null,
      cause: null,
    },
    {
      id: 4,
      timestamp: iso(-3_597_000),
      type: 'WaitStateEntered',
      stateName: CURRENT_STATE,
      input: '{}',
      output: null,
      error: null,
      cause: null,
    },
  ],
  nextToken: null,
  statesComplete: true,
};

export const platform = {
  id: 'michat-sandbox',
  name: 'MiChat (sandbox)',
  webhookUrl: 'http://127.0.0.1:9/webhook',
  contactEmail: 'tns@michat.example',
  status: 'active' as const,
  createdAt: iso(-86_400_000),
  secretsRotatedAt: null,
};

export const notFound = {
  type: 'https://tenggat.example/problems/not-found',
  title: 'Not Found',
  status: 404,
  detail: 'no such order',
};
