package io.queuekit.channel;

import java.time.Instant;

/**
 * One stored item of a channel queue, waiting or in flight.
 *
 * <p><b>Thread-safety:</b> none; fields are guarded by the queue's lock.
 */
final class Entry {
  final byte[] payload;
  /** Identity digest; null on a simple queue. */
  final Identity id;
  final Instant firstPushed;
  int deliveryCount;
  int recoveryCount;
  /** Due time while delayed; null while ready or in flight. */
  Instant due;
  /** Tie-break among equal due times: the order items were delayed in. */
  long delayOrder;

  Entry(byte[] payload, Identity id, Instant firstPushed, int deliveryCount, int recoveryCount) {
    this.payload = payload;
    this.id = id;
    this.firstPushed = firstPushed;
    this.deliveryCount = deliveryCount;
    this.recoveryCount = recoveryCount;
  }
}
