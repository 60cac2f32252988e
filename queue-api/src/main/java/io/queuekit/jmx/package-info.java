/**
 * JMX management of a {@link io.queuekit.QueueManager}'s queues: {@link
 * io.queuekit.jmx.QueueMXBean}, one per queue as {@code io.queuekit:type=Queue,name=<queue>},
 * registered while the queue runs by {@link io.queuekit.jmx.QueueMBeans} (opt-in: {@code
 * QueueManager.builder().jmx(server)}). Uses only {@code java.management}; nothing here runs on a
 * queue's hot path (see docs/DESIGN.md §10).
 */
package io.queuekit.jmx;
