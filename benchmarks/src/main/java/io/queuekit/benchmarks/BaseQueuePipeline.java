package io.queuekit.benchmarks;

import io.queuekit.Codec;
import io.queuekit.JacksonCodec;
import io.queuekit.PushResult;
import io.queuekit.QueueSettings;
import io.queuekit.spi.BaseQueue;
import io.queuekit.spi.BaseQueueConfig;
import io.queuekit.spi.BaseQueues;
import io.queuekit.spi.Delivery;
import io.queuekit.spi.Item;
import io.queuekit.spi.Outcome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Our side of a store loop: a backend's {@link BaseQueue} (the SPI under {@code WorkerPoolQueue},
 * opened through {@link BaseQueues} as the manager does) driven directly. Producers encode and
 * {@code push} (or {@code pushAll}); {@code workers} consumer threads each {@code claim} up to
 * {@code BATCH_LENGTH} deliveries (what is ready; no debounce), decode them, call the {@link Sink}
 * and {@code ack} them. So it measures the store's push → claim → ack path without the worker
 * pool, against a {@link StoreLoopPipeline} doing the same on the raw store.
 */
final class BaseQueuePipeline implements Pipeline {
  private static final Duration PUSH_TIMEOUT = Duration.ofSeconds(30);

  private final Codec<Payload> codec = JacksonCodec.of(Payload.class);
  private final Path dataPath;
  private final ScheduledExecutorService scheduler;
  private final BaseQueue queue;
  private final Consumers consumers;

  /**
   * @param settings the queue's settings (type, sync, connection); {@code LENGTH} and {@code
   *     BATCH_LENGTH} are taken from {@code config}
   */
  BaseQueuePipeline(QueueSettings settings, PipelineConfig config, Sink sink) throws IOException {
    this.dataPath = Files.createTempDirectory("queuekit-bench-");
    this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "bench-basequeue-scheduler");
      t.setDaemon(true);
      return t;
    });
    QueueSettings s = settings.toBuilder().length(config.length())
        .batchLength(config.batchLength()).build();
    this.queue = BaseQueues.load().create(s.type(), new BaseQueueConfig("bench", s, false,
        Clock.systemUTC(), scheduler, dataPath));
    int max = config.batchLength();
    this.consumers = new Consumers("basequeue", config.workers(), () -> {
      List<Delivery> ds = queue.claim(max, Duration.ofNanos(Consumers.POLL_NANOS));
      if (ds.isEmpty()) {
        return;
      }
      List<Payload> decoded = new ArrayList<>(ds.size());
      for (Delivery d : ds) {
        decoded.add(codec.decode(d.payload()));
      }
      sink.handle(decoded);
      List<Outcome> outcomes = queue.ack(ds);
      for (Outcome o : outcomes) {
        if (o != Outcome.DONE) {
          throw new IllegalStateException("ack returned " + o);
        }
      }
    });
    this.consumers.start();
  }

  @Override
  public void push(Payload payload) {
    consumers.check();
    PushResult r = queue.push(Item.of(codec.encode(payload)), PUSH_TIMEOUT);
    if (r != PushResult.ADDED) {
      throw new IllegalStateException("push of item " + payload.id() + " returned " + r);
    }
  }

  @Override
  public void pushAll(List<Payload> payloads) {
    consumers.check();
    List<Item> items = new ArrayList<>(payloads.size());
    for (Payload p : payloads) {
      items.add(Item.of(codec.encode(p)));
    }
    List<PushResult> rs = queue.pushAll(items, PUSH_TIMEOUT);
    for (int i = 0; i < rs.size(); i++) {
      if (rs.get(i) != PushResult.ADDED) {
        throw new IllegalStateException("pushAll: item " + payloads.get(i).id() + " returned "
            + rs.get(i));
      }
    }
  }

  @Override
  public String describeState() {
    consumers.check();
    return "BaseQueue " + queue.name() + ": " + queue.stats();
  }

  @Override
  public void close() throws IOException {
    try {
      consumers.close();
    } finally {
      try {
        queue.close();
        scheduler.shutdownNow();
      } finally {
        QueuekitPipeline.deleteTree(dataPath);
      }
    }
  }
}
