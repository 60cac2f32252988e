/**
 * queuekit's internal toolbox. <b>Not API:</b> these types are public only so that queuekit's own
 * modules (the backends, {@code config-migrator}, {@code queuekit-cli}, {@code queue-admin},
 * the examples) can share one copy of each helper instead of one per module. They carry no
 * compatibility promise: any of them may change or go in any release, minor or patch. Services
 * use {@link io.queuekit}; third-party backends use {@link io.queuekit.spi} and, at their own
 * risk, may use what is here.
 *
 * <ul>
 *   <li>{@link io.queuekit.internal.ItemSize}: the {@code MAX_ITEM_SIZE} check of every push path.
 *   <li>{@link io.queuekit.internal.Previews}: a payload or untrusted text as one escaped, capped
 *       line for logs and displays.
 *   <li>{@link io.queuekit.internal.Nanos}: saturating nanosecond conversions and sums.
 *   <li>{@link io.queuekit.internal.OutageBackoff}: the wait between tries while a store is
 *       unreachable (100 ms doubling to 5 s).
 *   <li>{@link io.queuekit.internal.ConnStrings}: password masking for any text that may hold one.
 *   <li>{@link io.queuekit.internal.GoDuration}: Go-style durations, as Gitea's INI files write them.
 *   <li>{@link io.queuekit.internal.Digests}: SHA-256 of identities and names.
 *   <li>{@link io.queuekit.internal.DeadSelection}: a replay or purge of dead letters named by
 *       id, the ids missing and those taken meanwhile (the CLI's and the admin API's).
 *   <li>{@link io.queuekit.internal.Causes}: the first cause of a type in an exception's chain.
 * </ul>
 *
 * <p>Not modular (no {@code module-info}): queuekit ships as plain jars, so the package cannot
 * be limited to queuekit's modules by the compiler; this note is the boundary.
 */
package io.queuekit.internal;
