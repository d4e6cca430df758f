import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

// zod 4 gives each schema its methods when it is built, so this must run before the schemas module loads.
extendZodWithOpenApi(z);
