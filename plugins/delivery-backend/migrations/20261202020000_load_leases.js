/*
 * Leases on upstream loads (src/services/loadLeases.ts): the replica that
 * holds one loads a cached section from its upstream; the others wait for
 * its answer in the shared cache instead of asking the upstream too.
 */

// @ts-check

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('delivery_load_leases', table => {
    table.comment('Which replica loads which cached section now');
    table.string('id', 64).primary().comment('sha256 of the cache entry');
    table.bigInteger('until').notNullable().comment('Epoch ms the lease ends');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('delivery_load_leases');
};
