import { AuditorService, HttpAuthService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod/v3';
import { DeliveryStatusService } from './services/DeliveryStatusService';
import { ReleaseService } from './services/ReleaseService';

const rollbackSchema = z.object({
  entityRef: z.string().min(1).max(512),
  environment: z.string().min(1).max(63),
});

const promoteSchema = z.object({
  entityRef: z.string().min(1).max(512),
  from: z.string().min(1).max(63),
  to: z.string().min(1).max(63),
  tag: z.string().min(1).max(128).optional(),
});

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw new InputError(
      parsed.error.issues
        .map(i => `${i.path.join('.') || 'body'}: ${i.message}`)
        .join('; '),
    );
  }
  return parsed.data;
}

/** The delivery plugin's HTTP API (mounted at /api/delivery). */
export async function createRouter(options: {
  httpAuth: HttpAuthService;
  auditor: AuditorService;
  status: DeliveryStatusService;
  releases: ReleaseService;
}): Promise<express.Router> {
  const { httpAuth, auditor, status, releases } = options;
  const router = Router();
  router.use(express.json({ limit: '16kb' }));

  router.get('/status', async (req, res) => {
    const entityRef = req.query.entityRef;
    if (typeof entityRef !== 'string' || !entityRef) {
      throw new InputError('entityRef query parameter is required');
    }
    const credentials = await httpAuth.credentials(req, {
      allow: ['user', 'service'],
    });
    res.json(await status.getStatus(entityRef, { credentials }));
  });

  // Rollback and promote change what runs: users only, audited.
  for (const action of ['rollback', 'promote'] as const) {
    router.post(`/${action}`, async (req, res) => {
      const credentials = await httpAuth.credentials(req, { allow: ['user'] });
      const body =
        action === 'rollback'
          ? parse(rollbackSchema, req.body)
          : parse(promoteSchema, req.body);
      const event = await auditor.createEvent({
        eventId: action,
        severityLevel: 'medium',
        request: req,
        meta: { ...body },
      });
      try {
        const userEntityRef = credentials.principal.userEntityRef;
        const result =
          action === 'rollback'
            ? await releases.rollback(body as z.infer<typeof rollbackSchema>, {
                credentials,
                userEntityRef,
              })
            : await releases.promote(body as z.infer<typeof promoteSchema>, {
                credentials,
                userEntityRef,
              });
        status.invalidate(result.entityRef);
        await event.success({
          meta: {
            environment: result.environment,
            fromTag: result.fromTag ?? null,
            toTag: result.toTag,
            commitSha: result.commitSha,
            pullRequestUrl: result.pullRequestUrl ?? null,
          },
        });
        res.status(201).json(result);
      } catch (error) {
        await event.fail({ error: error as Error });
        throw error;
      }
    });
  }

  return router;
}
