package io.queuekit.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuekit.QueueManager;
import io.queuekit.WorkerPoolQueue;
import io.queuekit.conformance.CapturedErr;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.util.TestPropertyValues;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Environment variables for a queue whose name holds a {@code _}: Spring lists {@code
 * QUEUEKIT_QUEUES_ISSUE_INDEXER_BATCH_LENGTH} as {@code queuekit.queues.issue.indexer.batch.length},
 * so it reaches {@code issue_indexer} only when a queue of that name claims it, and is never
 * reported as an unknown key.
 */
class EnvironmentVariablesTest {

  static final String VARIABLE = "QUEUEKIT_QUEUES_ISSUE_INDEXER_BATCH_LENGTH";

  @TempDir Path data;

  static class Indexer {
    @QueueHandler("issue_indexer")
    void index(List<String> batch) {}
  }

  @Configuration(proxyBeanMethods = false)
  static class IndexerApp {
    @Bean Indexer indexer() { return new Indexer(); }
  }

  /** A context whose system environment holds {@code variables} (NAME=value), as the process's would. */
  private ApplicationContextRunner runner(String... variables) {
    return new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(QueuekitAutoConfiguration.class))
        .withInitializer(ctx -> TestPropertyValues.of(variables).applyTo(ctx.getEnvironment(),
            TestPropertyValues.Type.SYSTEM_ENVIRONMENT, "test-systemEnvironment"))
        .withPropertyValues("queuekit.data-path=" + data, "queuekit.defaults.type=channel");
  }

  @Test
  void aQueueTheYamlListsTakesTheVariableAndNothingIsWarned() {
    try (CapturedErr err = CapturedErr.start()) {
      runner(VARIABLE + "=7").withUserConfiguration(IndexerApp.class)
          .withPropertyValues("queuekit.queues.issue_indexer.max-workers=2")
          .run(ctx -> {
            assertThat(ctx).hasNotFailed();
            assertThat(ctx.getBean("issue_indexer", WorkerPoolQueue.class).settings().batchLength()).isEqualTo(7);
          });
      assertThat(err.text()).doesNotContain("unknown key", "issue.indexer", VARIABLE);
    }
  }

  @Test
  void aQueueOnlyTheCodeDeclaresTakesTheVariableToo() {
    try (CapturedErr err = CapturedErr.start()) {
      runner(VARIABLE + "=7", "QUEUEKIT_QUEUES_ISSUE_INDEXER_MAX_WORKERS=3").withUserConfiguration(IndexerApp.class)
          .run(ctx -> {
            assertThat(ctx).hasNotFailed();
            WorkerPoolQueue<?> q = ctx.getBean("issue_indexer", WorkerPoolQueue.class);
            assertThat(q.settings().batchLength()).isEqualTo(7);
            assertThat(q.settings().maxWorkers()).isEqualTo(3);
            assertThat(q.settings().type()).isEqualTo("channel");
          });
      assertThat(err.text()).doesNotContain("unknown key", "issue.indexer", VARIABLE);
    }
  }

  @Test
  void aQueueCreatedAfterStartUpTakesTheVariable() {
    runner(VARIABLE + "=7").run(ctx -> {
      QueueManager m = ctx.getBean(QueueManager.class);
      assertThat(m.createSimple("issue_indexer", String.class, batch -> List.of()).settings().batchLength())
          .isEqualTo(7);
      // a name the variable does not spell keeps the default
      assertThat(m.settings("issue_indexers").batchLength()).isEqualTo(20);
    });
  }

  @Test
  void aVariableNoQueueClaimsIsWarnedOfWithTheQueueItNamesNotAsAnUnknownKey() {
    try (CapturedErr err = CapturedErr.start()) {
      runner(VARIABLE + "=7").withUserConfiguration(QueuekitAutoConfigurationTest.MailApp.class)
          .run(ctx -> assertThat(ctx).hasNotFailed());
      String log = err.text();
      assertThat(log).doesNotContain("unknown key")
          // BATCH_LENGTH ends in LENGTH: a queue issue_indexer_batch would claim it as well
          .contains("WARN", VARIABLE + ": no queue named issue_indexer or issue_indexer_batch at start-up"
              + " (queues: mail)", "read as queuekit.queues.issue_indexer.batch-length or"
              + " queuekit.queues.issue_indexer_batch.length,", "is the name mistyped?");
      assertThat(log.split(VARIABLE + ":", -1)).hasSize(2);
    }
  }

  @Test
  void aMistypedSettingInSuchAVariableIsStillAnUnknownKey() {
    try (CapturedErr err = CapturedErr.start()) {
      runner("QUEUEKIT_QUEUES_ISSUE_INDEXER_BATCH_LENGHT=7").withUserConfiguration(IndexerApp.class)
          .run(ctx -> assertThat(ctx).hasNotFailed());
      assertThat(err.text()).contains("queuekit.queues.issue.indexer.batch.lenght: unknown key, ignored");
    }
  }
}
