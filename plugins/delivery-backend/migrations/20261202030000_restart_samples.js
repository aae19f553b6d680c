/*
 * Restart counts of each service's pods, sampled when the status's runtime
 * section loads (src/history/DeliveryHistory.ts): Kubernetes keeps only a
 * pod's total, so "restarts in the last hour" is today's total less the
 * total an hour ago. Kept two hours.
 */

// @ts-check

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('delivery_restarts', table => {
    table.comment('Samples of the restart count of each pod');
    table.bigIncrements('id').primary();
    table.string('entity_ref', 255).notNullable();
    table.string('environment', 63).notNullable();
    table.string('pod', 253).notNullable();
    table.integer('restarts').notNullable();
    table.string('sampled_at', 32).notNullable().comment('ISO 8601, UTC');
    table.index(
      ['entity_ref', 'environment', 'sampled_at'],
      'delivery_restarts_entity_idx',
    );
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('delivery_restarts');
};
