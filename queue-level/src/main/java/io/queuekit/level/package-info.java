/**
 * The LevelDB backend ({@code TYPE=level}): {@link io.queuekit.level.LevelQueueFactory} is its only
 * public type. Inside: the queue (which draws the storage layout in its javadoc), the per-directory
 * shared DB with its group-commit rounds, the process-wide registry of open directories, the
 * engine choice (native leveldbjni, or pure-Java iq80 where the native library does not load), and
 * the open-time invariant check, repair and recovery.
 */
package io.queuekit.level;
