/**
 * The in-memory backend, {@code TYPE=channel}: {@link io.queuekit.channel.ChannelQueueFactory}
 * opens queues that live on the heap of one process and vanish with it. It keeps every rule of the
 * {@link io.queuekit.spi.BaseQueue} contract that is not about persistence (fencing, uniqueness and
 * merge, {@code LENGTH}, delays, the dead-letter store), so it serves as the reference backend the
 * others are compared with, and as the store for tests and throwaway queues. Ports Gitea's {@code
 * modules/queue/base_channel.go}.
 */
package io.queuekit.channel;
