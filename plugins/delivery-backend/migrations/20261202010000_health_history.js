/*
 * The delivery plugin's health history: each change of an Argo CD
 * application's health (or of the revision it runs), recorded by a
 * scheduled poll on one replica and by the status answers
 * (src/history/DeliveryHistory.ts). DORA reads it to see failures that
 * were fixed instead of rolled back, and when each failure began.
 */

// @ts-check

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('delivery_health', table => {
    table.comment('Health transitions of each Argo CD application');
    table.bigIncrements('id').primary();
    table.string('entity_ref', 255).notNullable();
    table.string('environment', 63).notNullable();
    table.string('instance', 63).notNullable().comment('Argo CD instance');
    table.string('app_name', 253).notNullable();
    table.string('status', 16).notNullable();
    table.string('revision', 64).notNullable().defaultTo('');
    table
      .string('since', 32)
      .notNullable()
      .comment('ISO 8601, UTC: lastTransitionTime, else when first seen');
    table.unique(['instance', 'app_name', 'since', 'status', 'revision'], {
      indexName: 'delivery_health_transition_uq',
    });
    table.index(
      ['entity_ref', 'environment', 'since'],
      'delivery_health_entity_idx',
    );
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('delivery_health');
};
