// The namespace import lets esbuild drop what is unused; `import { z }` would bring every locale of zod.
import * as z from 'zod';

/** `POST /v1/platforms/{platformId}/users`: a platform's staff member who will sign in to the console. */
export const createPlatformUserBodySchema = z.strictObject({
  username: z
    .string()
    .regex(
      /^[a-z0-9][a-z0-9._-]{1,127}$/,
      'lowercase letters, digits, dots, dashes and underscores, 2 to 128',
    ),
  email: z.email().max(320),
});
export type CreatePlatformUserBody = z.infer<typeof createPlatformUserBodySchema>;

export const platformUserSchema = z.object({
  username: z.string(),
  email: z.string(),
  platformId: z.string(),
  group: z.string().describe('`platform:<platformId>`: what the API maps the person to'),
  temporaryPassword: z
    .string()
    .describe(
      'Shown this once; the person sets their own and enrols an authenticator (TOTP) at first sign-in',
    ),
});
export type PlatformUserBody = z.infer<typeof platformUserSchema>;
