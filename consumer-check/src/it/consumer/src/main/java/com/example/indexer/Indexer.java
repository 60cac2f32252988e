package com.example.indexer;

import io.queuekit.PushResult;
import io.queuekit.QueueManager;
import io.queuekit.QueueSpec;
import io.queuekit.WorkerPoolQueue;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** A user's service: one unique queue on the default (LevelDB) store, as the README shows it. */
public final class Indexer implements AutoCloseable {

  public record IndexJob(long issueId) {}

  private final Set<Long> indexed = ConcurrentHashMap.newKeySet();
  private final QueueManager queues;
  private final WorkerPoolQueue<IndexJob> queue;

  public Indexer(Path dataPath) {
    queues = QueueManager.builder().dataPath(dataPath).build();
    queue = queues.create(QueueSpec.unique("issue_indexer", IndexJob.class, batch -> {
      batch.forEach(job -> indexed.add(job.issueId()));
      return List.of();
    }));
  }

  public PushResult index(long issueId) {
    return queue.push(new IndexJob(issueId));
  }

  public boolean flush(Duration timeout) {
    return queue.flush(timeout);
  }

  public Set<Long> indexed() {
    return Set.copyOf(indexed);
  }

  @Override
  public void close() {
    queues.close();
  }
}
