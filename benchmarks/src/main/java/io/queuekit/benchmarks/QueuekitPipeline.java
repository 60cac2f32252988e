package io.queuekit.benchmarks;

import io.queuekit.JacksonCodec;
import io.queuekit.PushResult;
import io.queuekit.QueueConfig;
import io.queuekit.QueueManager;
import io.queuekit.QueueSettings;
import io.queuekit.QueueSpec;
import io.queuekit.QueueStats;
import io.queuekit.WorkerPoolQueue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
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

  QueuekitPipeline(String type, PipelineConfig config, Sink sink) throws IOException {
    // Persistent backends write under the data path; a fresh directory per pipeline keeps runs
    // from reading each other's items.
    this.dataPath = Files.createTempDirectory("queuekit-bench-");
    QueueSettings settings = QueueSettings.builder()
        .type(type)
        .maxWorkers(config.workers())
        .batchLength(config.batchLength())
        .batchDebounce(config.batchDebounce())
        .length(config.length())
        .build();
    this.manager = QueueManager.builder()
        .dataPath(dataPath)
        .config(QueueConfig.of(settings))
        .build();
    this.queue = manager.create(QueueSpec.simple("bench", Payload.class, sink)
        .codec(JacksonCodec.of(Payload.class)));
  }

  @Override
  public void push(Payload payload) {
    PushResult r = queue.push(payload);
    if (r != PushResult.ADDED) {
      throw new IllegalStateException("push of item " + payload.id() + " returned " + r);
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

  private static void deleteTree(Path root) throws IOException {
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
