package io.queuekit.examples.spring;

import io.queuekit.PushResult;
import io.queuekit.WorkerPoolQueue;
import io.queuekit.spring.QueueHandler;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.stereotype.Component;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/** The README's Spring Boot quick start, runnable: POST /issues/42 queues issue 42 for indexing. */
@SpringBootApplication
public class SampleApplication {

  public static void main(String[] args) {
    SpringApplication.run(SampleApplication.class, args);
  }

  /** What the queue carries. */
  public record IndexJob(long issueId) {}

  /** The handler: a bean method named after its queue. */
  @Component
  public static class Indexer {
    private final Set<Long> indexed = ConcurrentHashMap.newKeySet();

    @QueueHandler(value = "issue_indexer", unique = true)
    public void index(List<IndexJob> batch) {
      batch.forEach(job -> indexed.add(job.issueId()));
    }

    public Set<Long> indexed() {
      return Set.copyOf(indexed);
    }
  }

  /** Pushes from a request thread. */
  @RestController
  public static class Issues {
    private final WorkerPoolQueue<IndexJob> indexer;

    public Issues(@Qualifier("issue_indexer") WorkerPoolQueue<IndexJob> indexer) {
      this.indexer = indexer;
    }

    @PostMapping("/issues/{id}")
    public String queue(@PathVariable("id") long id) {
      PushResult result = indexer.push(new IndexJob(id));
      return result.name();
    }
  }
}
