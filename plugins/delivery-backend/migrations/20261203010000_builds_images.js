/*
 * The builds and images of each service, as the status's build and image
 * sections loaded them (src/history/DeliveryHistory.ts): CI and ECR list
 * only the newest, so the timeline finds an older commit's build and image
 * here once the lists have moved on. Each row keeps the section's own
 * record of it (JSON) beside the columns it is looked up by.
 */

// @ts-check

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('delivery_builds', table => {
    table.comment('Builds of each entity, as its build section listed them');
    table.string('entity_ref', 255).notNullable();
    table
      .string('provider', 16)
      .notNullable()
      .comment('jenkins or github-actions');
    table.integer('number').notNullable();
    table.string('commit_sha', 64).nullable();
    table.string('started_at', 32).notNullable().comment('ISO 8601, UTC');
    table.text('build').notNullable().comment('The build, as JSON');
    table.primary(['entity_ref', 'provider', 'number']);
    table.index(['entity_ref', 'commit_sha'], 'delivery_builds_commit_idx');
    table.index(['started_at'], 'delivery_builds_started_idx');
  });
  await knex.schema.createTable('delivery_images', table => {
    table.comment('Images of each entity, as its image section listed them');
    table.string('entity_ref', 255).notNullable();
    table.string('digest', 255).notNullable();
    table.string('pushed_at', 32).notNullable().comment('ISO 8601, UTC');
    table.text('image').notNullable().comment('The image, as JSON');
    table.primary(['entity_ref', 'digest']);
    table.index(['entity_ref', 'pushed_at'], 'delivery_images_entity_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('delivery_images');
  await knex.schema.dropTable('delivery_builds');
};
