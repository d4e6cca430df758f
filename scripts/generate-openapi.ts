import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openApiJson } from '../functions/src/http/openapi';

// npm run openapi: regenerates docs/openapi.json from the zod schemas (a test fails when it is stale).
const target = fileURLToPath(new URL('../docs/openapi.json', import.meta.url));
writeFileSync(target, openApiJson());
console.log(`wrote ${target}`);
