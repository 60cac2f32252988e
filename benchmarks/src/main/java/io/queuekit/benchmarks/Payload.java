package io.queuekit.benchmarks;

import java.util.List;

/**
 * The item every scenario pushes, on both sides: shaped like a Gitea indexer job (ids, a kind, a
 * title, labels), about 120 bytes of JSON through {@link io.queuekit.JacksonCodec}. Public only
 * because JMH's generated code and Jackson see it.
 *
 * <p>{@code id} is unique within a run so a sink can check that every item arrived exactly once;
 * {@code pushedNanos} is the producer's {@link System#nanoTime()} just before the push, for
 * push-to-handler latency (meaningful only inside one JVM).
 *
 * <p><b>Thread-safety:</b> immutable.
 */
public record Payload(long id, long repoId, String kind, String title, List<String> labels,
    long pushedNanos) {

  private static final List<String> LABELS = List.of("area/queue", "kind/bug", "priority/high");
  private static final String TITLE = "Pushing to a full queue blocks the request thread";

  /** The payload for item {@code id}: fixed text, so its size barely varies between items. */
  static Payload sample(long id, long pushedNanos) {
    return new Payload(id, 1000 + id % 97, "issue", TITLE, LABELS, pushedNanos);
  }
}
