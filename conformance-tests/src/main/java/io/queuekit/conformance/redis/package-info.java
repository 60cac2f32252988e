/**
 * Redis fixtures for tests: a throwaway {@link io.queuekit.conformance.redis.RedisServer} (plain,
 * password, ACL user, TLS, append-only), one shared 3-master {@link
 * io.queuekit.conformance.redis.RedisCluster} per JVM, a {@link
 * io.queuekit.conformance.redis.RedisSentinel}, and a minimal RESP client to inspect them. Every
 * server binds 127.0.0.1 on a free port, never 6379, and is torn down after its tests.
 */
package io.queuekit.conformance.redis;
