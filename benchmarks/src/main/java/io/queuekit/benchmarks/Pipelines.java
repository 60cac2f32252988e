package io.queuekit.benchmarks;

import io.queuekit.spi.BaseQueues;
import java.io.IOException;
import java.util.Optional;

/**
 * Opens a {@link Pipeline} by name, the name JMH's {@code @Param} and the latency forks carry:
 * {@code queuekit-<TYPE>} for a {@code WorkerPoolQueue} of that backend, {@link #ABQ_TPE} for the
 * hand-written {@link BlockingPoolPipeline}. Later baselines (a Tape file, raw LevelDB, Redis lists)
 * add a name here.
 */
final class Pipelines {
  static final String QUEUEKIT = "queuekit-";
  static final String ABQ_TPE = "abq-tpe";

  private Pipelines() {}

  /** The pipeline for {@code type} on our side. */
  static String queuekit(String type) {
    return QUEUEKIT + type;
  }

  static Pipeline open(String name, PipelineConfig config, Sink sink) throws IOException {
    if (name.startsWith(QUEUEKIT)) {
      return new QueuekitPipeline(name.substring(QUEUEKIT.length()), config, sink);
    }
    if (name.equals(ABQ_TPE)) {
      return new BlockingPoolPipeline(config, sink);
    }
    throw new IllegalArgumentException("no pipeline named \"" + name + "\"");
  }

  /** Why {@code name} cannot run on this class path, if it cannot (its backend jar is absent). */
  static Optional<String> unavailable(String name) {
    if (name.startsWith(QUEUEKIT)) {
      String type = name.substring(QUEUEKIT.length());
      if (!BaseQueues.load().types().contains(type)) {
        return Optional.of("no backend for TYPE=" + type + " on the class path (the queue-"
            + type + " jar is absent)");
      }
    }
    return Optional.empty();
  }
}
