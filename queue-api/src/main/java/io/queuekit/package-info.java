/**
 * queuekit's public API: named worker-pool queues over pluggable stores.
 *
 * <h2>Two layers</h2>
 *
 * <ul>
 *   <li>The <b>base queue</b> ({@link io.queuekit.spi.BaseQueue}): a byte-level FIFO store. Backends
 *       {@code channel} (memory), {@code level} (LevelDB, the default), {@code redis}, and the
 *       special {@code dummy} (discards) and {@code immediate} (handles in the pushing thread). All
 *       share one contract and pass one conformance suite.
 *   <li>The <b>{@link io.queuekit.WorkerPoolQueue}</b>: the typed front end. It encodes items, claims
 *       them from the base queue, batches them, and hands batches to a capped pool of workers that
 *       call the {@link io.queuekit.Handler} (or, for handlers that need each item's attempt,
 *       recoveries, first push and delivery id, the {@link io.queuekit.DeliveryHandler}). The
 *       handler returns what it could not handle; those items come back after a backoff.
 * </ul>
 *
 * <h2>Simple and unique</h2>
 *
 * A queue is <em>simple</em> (every push stored) or <em>unique</em> (an item whose identity is
 * already waiting is not stored again). Unlike Gitea, uniqueness and {@code has} are exact: every
 * move into waiting checks the unique set in the same atomic store step. Identity is the encoded
 * bytes, or a {@code uniqueKey}. Items being handled are not waiting, so they can be pushed again.
 *
 * <h2>Item states</h2>
 *
 * <em>ready</em> (claimable now), <em>delayed</em> (claimable at a due time), <em>in flight</em>
 * (claimed, handler not finished) and <em>dead</em> (in the dead-letter store). Waiting = ready +
 * delayed = {@code len()}.
 *
 * <h2>Delivery guarantees</h2>
 *
 * <ul>
 *   <li>At-least-once: an item leaves the store only when its handler succeeded; a crash redelivers
 *       in-flight items (persistent backends), so handlers must tolerate repeats.
 *   <li>Unhandled items are retried with exponential backoff and jitter; {@code MAX_DELIVERIES}
 *       bounds the attempts, then the item is dead-lettered, as are undecodable items and {@link
 *       io.queuekit.PermanentFailure}s.
 *   <li>An item in flight during {@code MAX_RECOVERIES} crashes is quarantined as a poison item;
 *       recovered items are handled alone so their batch-mates are not blamed.
 *   <li>Shutdown gives every unfinished delivery back to the store; nothing is counted against it.
 * </ul>
 *
 * <h2>Who uses which package</h2>
 *
 * <ul>
 *   <li><b>Services</b> use this package: {@link io.queuekit.QueueManager} (and its {@code
 *       Builder}), {@link io.queuekit.QueueSpec}, {@link io.queuekit.WorkerPoolQueue}, the handler
 *       forms ({@link io.queuekit.Handler}, {@link io.queuekit.DeliveryHandler} with {@link
 *       io.queuekit.Delivered}), {@link io.queuekit.Codec} and {@link io.queuekit.JacksonCodec},
 *       the settings ({@link io.queuekit.Setting}, {@link io.queuekit.QueueSettings}, {@link
 *       io.queuekit.Durability}, {@link io.queuekit.QueueConfig}), what a queue reports ({@link io.queuekit.PushResult}, {@link
 *       io.queuekit.QueueStats}, {@link io.queuekit.QueueHealth}, {@link
 *       io.queuekit.DeadLetterEntry}, {@link io.queuekit.DeadLetterCause}), the observers ({@link
 *       io.queuekit.QueueListener} with {@link io.queuekit.ItemEvent} and {@link
 *       io.queuekit.BatchEvent}, {@link io.queuekit.QueueWatcher}), and the exceptions ({@link
 *       io.queuekit.QueueException} and its subclasses, {@link io.queuekit.PermanentFailure}).
 *       Also for services: {@link io.queuekit.ini} (Gitea-style INI files: {@link
 *       io.queuekit.ini.IniQueueConfig}) and {@link io.queuekit.jmx} (an MXBean per queue).
 *   <li><b>Backend authors</b> implement {@link io.queuekit.spi}; the exceptions of this package
 *       are how a store reports failures, and the conformance suite ({@code conformance-tests})
 *       checks the contract.
 *   <li><b>Nobody outside queuekit</b> uses {@link io.queuekit.internal}: one copy of the helpers
 *       queuekit's modules share (size check, log previews, saturating time arithmetic, outage
 *       backoff, password masking, Go durations, digests), public only because Java packages are;
 *       no compatibility promise. The worker pool's engine (claim loop, batches, workers,
 *       settlement, retry backoff, health watch) is package-private.
 * </ul>
 *
 * <p>Ports Gitea's {@code modules/queue} after the 2023 rewrite (PR #24505) and its later changes up to
 * {@code go-gitea/gitea@90b4bde}.
 */
package io.queuekit;
