package io.queuekit.benchmarks;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.queuekit.JacksonCodec;
import io.queuekit.PushResult;
import io.queuekit.QueueConfig;
import io.queuekit.QueueManager;
import io.queuekit.QueueSettings;
import io.queuekit.QueueSpec;
import io.queuekit.QueueStats;
import io.queuekit.WorkerPoolQueue;
import io.queuekit.micrometer.QueuekitMetrics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Our side: a {@link WorkerPoolQueue} of the given {@code TYPE}, made by a {@link QueueManager}
 * exactly as a service would, with the {@link PipelineConfig}'s settings. Pushes go through {@link
 * WorkerPoolQueue#push}, so they pay the codec's encode; the queue's workers decode and call the
 * sink. Thread-safe.
 */
final class QueuekitPipeline implements Pipeline {
  private final Path dataPath;
  private final QueueManager manager;
  private final WorkerPoolQueue<Payload> queue;

  /**
   * @param base the backend's settings (type, and its connection or sync where needed); threads,
   *     batch and length come from {@code config}
   */
  QueuekitPipeline(QueueSettings base, PipelineConfig config, Sink sink) throws IOException {
    // A shared store (Redis) outlives the pipeline: a fresh queue name per pipeline keeps a
    // delivery given back at close from reaching the next pipeline's sink.
    this(base, config, sink, "bench-" + UUID.randomUUID(), null, false);
  }

  /** As a service with Micrometer would run it: {@link QueuekitMetrics} bound before the queue. */
  static QueuekitPipeline metered(QueueSettings base, PipelineConfig config, Sink sink)
      throws IOException {
    return new QueuekitPipeline(base, config, sink, "bench-" + UUID.randomUUID(), null, true);
  }

  /**
   * @param name the queue's name (two processes name the same queue to share it)
   * @param claimWait the manager's claim wait, or null for its default
   */
  QueuekitPipeline(QueueSettings base, PipelineConfig config, Sink sink, String name,
      Duration claimWait) throws IOException {
    this(base, config, sink, name, claimWait, false);
  }

  private QueuekitPipeline(QueueSettings base, PipelineConfig config, Sink sink, String name,
      Duration claimWait, boolean metered) throws IOException {
    // Persistent backends write under the data path; a fresh directory per pipeline keeps runs
    // from reading each other's items.
    this.dataPath = Files.createTempDirectory("queuekit-bench-");
    QueueSettings settings = base.toBuilder()
        .maxWorkers(config.workers())
        .batchLength(config.batchLength())
        .batchDebounce(config.batchDebounce())
        .length(config.length())
        .build();
    QueueManager.Builder b = QueueManager.builder()
        .dataPath(dataPath)
        .config(QueueConfig.of(settings));
    if (claimWait != null) {
      b.claimWait(claimWait);
    }
    this.manager = b.build();
    if (metered) {
      new QueuekitMetrics(manager).bindTo(new SimpleMeterRegistry());
    }
    this.queue = manager.create(QueueSpec.simple(name, Payload.class, sink)
        .codec(JacksonCodec.of(Payload.class)));
  }

  /** Stops this process claiming (a producer-only process); pushes go on. */
  void pauseClaiming() {
    queue.pause();
  }

  @Override
  public void push(Payload payload) {
    PushResult r = queue.push(payload);
    if (r != PushResult.ADDED) {
      throw new IllegalStateException("push of item " + payload.id() + " returned " + r);
    }
  }

  @Override
  public void pushAll(List<Payload> payloads) {
    List<PushResult> rs = queue.pushAll(payloads, queue.settings().pushTimeout());
    for (int i = 0; i < rs.size(); i++) {
      if (rs.get(i) != PushResult.ADDED) {
        throw new IllegalStateException("pushAll: item " + payloads.get(i).id() + " returned "
            + rs.get(i));
      }
    }
  }

  @Override
  public String describeState() {
    QueueStats s = queue.stats();
    return "queue " + queue + ": " + s;
  }

  @Override
  public void close() throws IOException {
    try {
      manager.close();
    } catch (RuntimeException e) {
      // Still remove the directory, but report the close failure first, not a delete failure.
      try {
        deleteTree(dataPath);
      } catch (IOException | RuntimeException d) {
        e.addSuppressed(d);
      }
      throw e;
    }
    deleteTree(dataPath);
  }

  static void deleteTree(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.delete(p);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    }
  }
}
