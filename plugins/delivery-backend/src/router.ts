import { HttpAuthService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import express from 'express';
import Router from 'express-promise-router';
import { z } from 'zod/v3';
import type { EnvironmentSummary } from '@internal/backstage-plugin-delivery-common';
import type { EnvironmentSettings } from '@internal/backstage-plugin-delivery-node';
import { DeliveryStatusService } from './services/DeliveryStatusService';
import {
  promoteInput,
  ReleaseRequests,
  rollbackInput,
  rolloutInput,
} from './services/releaseRequests';

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
  status: DeliveryStatusService;
  releases: ReleaseRequests;
  /** `slipway.environments`, for the wizard's environment picker. */
  environments: EnvironmentSettings[];
}): Promise<express.Router> {
  const { httpAuth, status, releases } = options;
  const road: EnvironmentSummary[] = options.environments.map(e => ({
    name: e.name,
    changes: e.changes,
    ...(e.cluster ? { cluster: e.cluster.name } : {}),
  }));
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

  // The road, in promotion order: names and how changes reach each one
  // (no destinations or issuers).
  router.get('/environments', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['user', 'service'] });
    res.json({ environments: road });
  });

  // Rollback and promote change what runs: users only, audited.
  router.post('/rollback', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const body = parse(rollbackInput(z), req.body);
    res.status(201).json(await releases.rollback(body, credentials, req));
  });
  router.post('/promote', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const body = parse(promoteInput(z), req.body);
    res.status(201).json(await releases.promote(body, credentials, req));
  });
  // Canary actions (Argo CD resource actions on the Rollout): users only, audited.
  router.post('/rollout', async (req, res) => {
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const body = parse(rolloutInput(z), req.body);
    res.json(await releases.rollout(body, credentials, req));
  });

  return router;
}
