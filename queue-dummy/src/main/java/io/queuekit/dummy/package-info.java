/**
 * The {@code dummy} and {@code immediate} backends: stores that keep nothing, for tests and for
 * queues a deployment wants off. {@code immediate} runs the handler in the pushing thread and
 * throws {@link io.queuekit.UnhandledItemException} when it cannot handle an item.
 */
package io.queuekit.dummy;
