package io.queuekit.channel;

import io.queuekit.QueueConfigException;
import io.queuekit.spi.BaseQueue;
import io.queuekit.spi.BaseQueueConfig;
import io.queuekit.spi.BaseQueueFactory;
import java.util.Map;
import java.util.Set;

/**
 * Opens in-memory queues for {@code TYPE=channel}; found by {@link java.util.ServiceLoader} through
 * {@code META-INF/services/io.queuekit.spi.BaseQueueFactory}.
 *
 * <p>Each {@link #create} returns a new, empty queue: two queues opened under one name share
 * nothing. Items are ordered FIFO (with delays and unclaim to the head as the {@link BaseQueue}
 * contract says) and are not durable: they are lost when the queue is closed or the process ends.
 *
 * <p><b>Thread-safety:</b> stateless; {@link #create} may be called from any thread. The queues it
 * returns are thread-safe.
 */
public final class ChannelQueueFactory implements BaseQueueFactory {
  /** The {@code TYPE} this factory serves. */
  public static final String TYPE = "channel";

  /** Called by {@link java.util.ServiceLoader}. */
  public ChannelQueueFactory() {}

  @Override
  public Set<String> types() {
    return Set.of(TYPE);
  }

  /** Gitea before 1.20: {@code unique-channel}, now a unique queue of {@code TYPE=channel}. */
  @Override
  public Map<String, String> formerNames() {
    return Map.of("unique-channel", TYPE);
  }

  @Override
  public BaseQueue create(String type, BaseQueueConfig config) {
    if (!TYPE.equals(type)) {
      throw new QueueConfigException("queue \"" + config.name() + "\": TYPE=" + type
          + " is not served by the channel backend (it serves TYPE=" + TYPE + ")");
    }
    return new ChannelQueue(config);
  }
}
