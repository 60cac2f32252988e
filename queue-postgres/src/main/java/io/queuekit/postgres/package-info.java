/**
 * The PostgreSQL backend, {@code TYPE=postgres}: queues in the tables of one schema, shared by
 * every process that opens them, woken by {@code LISTEN}/{@code NOTIFY} rather than polling.
 * Found by {@link java.util.ServiceLoader} through {@link
 * io.queuekit.postgres.PostgresQueueFactory}; everything else here is internal.
 */
package io.queuekit.postgres;
