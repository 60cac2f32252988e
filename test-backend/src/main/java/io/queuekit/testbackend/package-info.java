/**
 * A backend written outside queue-api ({@code TYPE=memo}), to prove the registry open: see
 * {@link io.queuekit.testbackend.MemoQueueFactory}. Not published.
 */
package io.queuekit.testbackend;
