/**
 * The backend SPI: {@link io.queuekit.spi.BaseQueue}, the contract every store implements, and
 * {@link io.queuekit.spi.BaseQueueFactory}, how a backend module makes itself known to {@link
 * java.util.ServiceLoader} under its {@code TYPE} names. Services use {@link io.queuekit} and never
 * need this package; backend modules and the conformance suite do.
 *
 * <p>For <b>backend authors</b>, all of it:
 *
 * <ul>
 *   <li>what a backend implements: {@link io.queuekit.spi.BaseQueue} and {@link
 *       io.queuekit.spi.BaseQueueFactory};
 *   <li>what it is given: {@link io.queuekit.spi.BaseQueueConfig} (name, settings, clock,
 *       scheduler, data path, whether it may create the store: {@link
 *       io.queuekit.spi.BaseQueueConfig.Open}, else {@link io.queuekit.spi.StoreNotFoundException})
 *       and {@link io.queuekit.spi.StoreEvents} (where it reports the dead letters it makes by
 *       itself);
 *   <li>what passes through it: {@link io.queuekit.spi.Item} in, {@link io.queuekit.spi.Delivery}
 *       out and back, {@link io.queuekit.spi.Outcome} of a settle call, {@link
 *       io.queuekit.spi.DeadLetter} and {@link io.queuekit.spi.StoreStats};
 *   <li>{@link io.queuekit.spi.BaseQueues}: the registry of the factories on the class path, for
 *       the tools that open stores without a worker pool ({@code queuekit-cli}, {@code
 *       config-migrator}, benchmarks).
 * </ul>
 *
 * <p>A backend may also call {@link io.queuekit.internal}'s helpers (the {@code MAX_ITEM_SIZE}
 * check, log previews, digests...) as queuekit's own backends do, but those carry no
 * compatibility promise; this package does (within the project's versioning).
 */
package io.queuekit.spi;
