// Placeholder entry so that the CDK app can bundle it; the real handler follows.
export const handler = async (): Promise<{ statusCode: number; body: string }> => ({
  statusCode: 501,
  body: JSON.stringify({ title: 'Not implemented yet' }),
});
