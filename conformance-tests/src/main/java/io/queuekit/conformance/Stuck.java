package io.queuekit.conformance;

import java.util.concurrent.CountDownLatch;

/** A handler stuck in its call until the pool interrupts it (HANDLER_TIMEOUT, shutdown). */
final class Stuck {
  private Stuck() {}

  /**
   * Blocks until the calling thread is interrupted, then counts {@code interrupted} down and
   * throws the interruption on, as a handler that honours it would.
   */
  static void untilInterrupted(CountDownLatch interrupted) throws InterruptedException {
    try {
      new CountDownLatch(1).await();
    } catch (InterruptedException e) {
      interrupted.countDown();
      throw e;
    }
  }
}
