import { z } from 'zod';

const name = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, 'a name is 1–63 characters of a-z, 0-9, ".", "_", "-", starting with a letter or digit');
const suite = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, 'a suite is a name such as bookworm-security');
const architecture = z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'an architecture is a Debian architecture name such as amd64');

export const DEFAULT_DEBIAN_KEYRING = '/usr/share/keyrings/debian-archive-keyring.gpg';

/** `patchday upstream add debian …` / `POST /api/v1/upstreams`. */
export const DebianUpstreamInput = z
  .object({
    name,
    kind: z.literal('debian').default('debian'),
    url: z
      .string()
      .max(2000)
      .url()
      .refine((u) => /^https?:\/\//.test(u), 'the archive URL must be http:// or https://'),
    suites: z.array(suite).min(1).max(64),
    architectures: z.array(architecture).min(1).max(16).default(['amd64']),
    keyring: z
      .string()
      .max(4096)
      .refine((p) => p.startsWith('/'), 'the keyring must be an absolute path')
      .refine((p) => !p.split('/').includes('..'), 'the keyring path must not contain ".."')
      .default(DEFAULT_DEBIAN_KEYRING),
    allowStale: z.boolean().default(false),
  })
  .strict();
export type DebianUpstreamInput = z.input<typeof DebianUpstreamInput>;
export type DebianUpstream = z.output<typeof DebianUpstreamInput>;

export const Upstream = DebianUpstreamInput.extend({ createdAt: z.string(), updatedAt: z.string() });
export type Upstream = z.infer<typeof Upstream>;
