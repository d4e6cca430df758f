/**
 * Runs an engine in a separate process for the durability tests: `SFN_DATA_PATH` is the SQLite file,
 * `SFN_LAMBDA_ENDPOINT` the fake Lambda. Each stdin line `{"id","action","input"}` is dispatched and answered
 * on stdout as `{"id","output"}` or `{"id","error"}`. The parent kills it with SIGKILL.
 */
import { createInterface } from 'node:readline';
import { createEngine } from '../../../local/sfn/engine';

const engine = await createEngine({
  dataPath: process.env.SFN_DATA_PATH ?? ':memory:',
  lambdaEndpoint: process.env.SFN_LAMBDA_ENDPOINT,
  region: 'us-east-1',
  accountId: '111111111111',
});
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);

for await (const line of createInterface({ input: process.stdin })) {
  const request = JSON.parse(line) as { id: number; action: string; input: Record<string, unknown> };
  try {
    const output = await engine.dispatch(request.action, request.input);
    process.stdout.write(`${JSON.stringify({ id: request.id, output })}\n`);
  } catch (error) {
    process.stdout.write(`${JSON.stringify({ id: request.id, error: String(error) })}\n`);
  }
}
