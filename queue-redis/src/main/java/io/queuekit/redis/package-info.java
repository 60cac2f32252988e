/**
 * The {@code redis} backend ({@code TYPE=redis}) on Lettuce: {@link
 * io.queuekit.redis.RedisQueueFactory} is its only public type. Every store step is one Lua
 * script over the keys of one queue, which share a hash tag so that a queue lives on one Redis
 * Cluster shard; the key layout is drawn on {@code RedisQueue}.
 */
package io.queuekit.redis;
