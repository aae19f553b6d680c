/*
 * The app repository commits of each service, as pushed to its default
 * branch (from GitHub push webhooks) and as read by the status's source
 * section (src/history/DeliveryHistory.ts). DORA's lead time pairs each
 * deployed image with the commit it was built from; the source section
 * lists only the newest commits, so without this record a busy service
 * loses its lead time after a few days.
 */

// @ts-check

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('delivery_commits', table => {
    table.comment('App repository commits of each entity, for lead time');
    table.string('entity_ref', 255).notNullable();
    table.string('sha', 64).notNullable();
    table
      .string('committed_at', 32)
      .notNullable()
      .comment('ISO 8601, UTC: the commit time');
    table.string('recorded_from', 8).notNullable().comment('push or source');
    table.primary(['entity_ref', 'sha']);
    table.index(['entity_ref', 'committed_at'], 'delivery_commits_entity_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('delivery_commits');
};
