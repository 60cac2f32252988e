package io.queuekit;

import java.util.Locale;

/**
 * Why an item went to the dead-letter store, as a closed set for metrics and alerts (the {@link
 * ItemEvent#reason()} text says it in full).
 *
 * <p>Immutable and thread-safe.
 */
public enum DeadLetterCause {
  /** Not handled on its {@code MAX_DELIVERIES}-th delivery (a handler timeout counts as one). */
  MAX_DELIVERIES,
  /** The handler called it a {@link PermanentFailure}. */
  PERMANENT,
  /** Its bytes could not be decoded, by the codec or (a malformed entry) by the store. */
  UNDECODABLE,
  /** In flight during {@code MAX_RECOVERIES} crashes: quarantined by the store as poison. */
  QUARANTINED;

  /** The lower-case name, as a metric tag value: {@code max_deliveries}, {@code permanent}, … */
  public String tag() {
    return name().toLowerCase(Locale.ROOT);
  }
}
