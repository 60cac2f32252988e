/**
 * The backend SPI: {@link io.queuekit.spi.BaseQueue}, the contract every store implements, and
 * {@link io.queuekit.spi.BaseQueueFactory}, how a backend module makes itself known to {@link
 * java.util.ServiceLoader} under its {@code TYPE} names. Services use {@link io.queuekit} and never
 * need this package; backend modules and the conformance suite do.
 */
package io.queuekit.spi;
