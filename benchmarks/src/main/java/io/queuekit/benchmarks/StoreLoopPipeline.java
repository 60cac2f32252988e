package io.queuekit.benchmarks;

import io.queuekit.Codec;
import io.queuekit.JacksonCodec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A baseline store loop: producers encode and {@link RawStore#put}; {@code workers} consumer
 * threads each {@link RawStore#take} up to {@code BATCH_LENGTH} items (what is ready; no
 * debounce), decode them and call the {@link Sink}. The counterpart of {@link BaseQueuePipeline},
 * which does the same through a {@code BaseQueue}'s claim and ack.
 */
final class StoreLoopPipeline implements Pipeline {
  private final Codec<Payload> codec = JacksonCodec.of(Payload.class);
  private final RawStore store;
  private final Consumers consumers;

  StoreLoopPipeline(String name, RawStore store, PipelineConfig config, Sink sink) {
    this.store = store;
    int max = config.batchLength();
    this.consumers = new Consumers(name, config.workers(), () -> {
      List<byte[]> items = store.take(max, Consumers.POLL_NANOS);
      if (items.isEmpty()) {
        return;
      }
      List<Payload> decoded = new ArrayList<>(items.size());
      for (byte[] b : items) {
        decoded.add(codec.decode(b));
      }
      sink.handle(decoded);
    });
    this.consumers.start();
  }

  @Override
  public void push(Payload payload) {
    consumers.check();
    store.put(List.of(codec.encode(payload)));
  }

  @Override
  public void pushAll(List<Payload> payloads) {
    consumers.check();
    List<byte[]> items = new ArrayList<>(payloads.size());
    for (Payload p : payloads) {
      items.add(codec.encode(p));
    }
    store.put(items);
  }

  @Override
  public String describeState() {
    consumers.check();
    return store.describe();
  }

  @Override
  public void close() throws IOException {
    try (store) {
      consumers.close();
    }
  }
}
