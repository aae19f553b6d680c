/*
 * The delivery plugin's deployment history: one row per helm-charts change
 * that set an environment's image tag, as DORA counts it
 * (src/history/DeliveryHistory.ts). Argo CD keeps ten syncs per
 * application and the status lists the newest helm-charts changes only, so
 * without it a busy service loses its DORA figures after a few days.
 */

// @ts-check

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('delivery_deployments', table => {
    table.comment('Deployments of each entity to each environment, for DORA');
    table.string('entity_ref', 255).notNullable();
    table.string('environment', 63).notNullable();
    table.string('sha', 64).notNullable().comment('The helm-charts commit');
    table
      .string('kind', 16)
      .notNullable()
      .comment('deploy, promote or rollback');
    table.string('tag', 255).notNullable();
    table
      .string('deployed_at', 32)
      .notNullable()
      .comment('ISO 8601, UTC: when it reached the environment');
    table.string('time_from', 8).notNullable().comment('argocd or commit');
    table.boolean('failed').notNullable();
    table
      .string('failed_at', 32)
      .nullable()
      .comment('When it was first seen failing');
    table.string('restored_at', 32).nullable();
    table.primary(['entity_ref', 'environment', 'sha']);
    table.index(['deployed_at'], 'delivery_deployments_deployed_at_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('delivery_deployments');
};
