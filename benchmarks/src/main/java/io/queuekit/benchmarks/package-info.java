/**
 * The benchmarks and the generator of {@code BENCHMARKS.md}.
 *
 * <p>{@link io.queuekit.benchmarks.Generator} is the one entry point: it runs every scenario and
 * rewrites the file section by section. A scenario compares a queuekit queue end to end with a
 * hand-written baseline given the same producer and worker threads, batch size, payload and codec
 * ({@code Pipeline} is the seam both sides implement). Throughput is measured with JMH; latency
 * percentiles with a paced harness in forked JVMs ({@code LatencyHarness}).
 *
 * <p>Everything but the generator and the classes JMH's generated code must see is
 * package-private.
 */
package io.queuekit.benchmarks;
