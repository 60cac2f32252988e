package io.queuekit.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.queuekit.Setting;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/** The key check agrees with Spring's binder on every way of writing a key. */
class QueuekitPropertiesCheckTest {

  private static Iterable<ConfigurationPropertySource> properties(Map<String, Object> props) {
    return ConfigurationPropertySources.from(new MapPropertySource("test", props));
  }

  private static Iterable<ConfigurationPropertySource> environment(Map<String, Object> vars) {
    return ConfigurationPropertySources.from(new SystemEnvironmentPropertySource("systemEnvironment", vars));
  }

  /** Whether Spring's binder sets MAX_WORKERS of the queue "mail" from these sources. */
  private static boolean binds(Iterable<ConfigurationPropertySource> sources) {
    return new Binder(sources).bind("queuekit", QueuekitProperties.class).get()
        .getQueues().get("mail").given().containsKey(Setting.MAX_WORKERS);
  }

  @Test
  void aKeyIsWarnedOfExactlyWhenSpringDoesNotBindIt() {
    for (String key : List.of("max-workers", "maxWorkers", "MAX_WORKERS", "max_workers", "MaxWorkers",
        "maxworkers", "MAX-WORKERS", "max-worker", "max.workers", "max-workers-x")) {
      var sources = properties(Map.of("queuekit.queues.mail." + key, "8", "queuekit.queues.mail.type", "channel"));
      assertThat(QueuekitPropertiesCheck.unknownKeys(sources).isEmpty()).as(key).isEqualTo(binds(sources));
    }
    for (String var : List.of("QUEUEKIT_QUEUES_MAIL_MAXWORKERS", "QUEUEKIT_QUEUES_MAIL_MAX_WORKERS",
        "QUEUEKIT_QUEUES_MAIL_MAX_WORKER")) {
      var sources = environment(Map.of(var, "8", "QUEUEKIT_QUEUES_MAIL_TYPE", "channel"));
      assertThat(QueuekitPropertiesCheck.unknownKeys(sources).isEmpty()).as(var).isEqualTo(binds(sources));
    }
  }

  @Test
  void aVariableForAQueueNameWithAnUnderscoreIsWarnedOfOnlyWhenNoQueueClaimsIt() {
    var sources = environment(Map.of("QUEUEKIT_QUEUES_ISSUE_INDEXER_MAX_WORKERS", "7"));
    assertThat(QueuekitPropertiesCheck.unknownKeys(sources)).isEmpty();
    assertThat(QueuekitPropertiesCheck.underscoredQueueVariables(sources, Set.of("mail", "issue_indexer"))).isEmpty();
    assertThat(QueuekitPropertiesCheck.underscoredQueueVariables(sources, Set.of("mail", "issue")))
        .singleElement().asString()
        .startsWith("QUEUEKIT_QUEUES_ISSUE_INDEXER_MAX_WORKERS: no queue named issue_indexer at start-up"
            + " (queues: issue, mail)")
        .contains("read as queuekit.queues.issue_indexer.max-workers,");
    // a variable two queues could claim names both; either one claims it
    var both = environment(Map.of("QUEUEKIT_QUEUES_A_B_GLOBAL_MAX_WORKERS", "2"));
    assertThat(QueuekitPropertiesCheck.underscoredQueueVariables(both, Set.of("a_b_global"))).isEmpty();
    assertThat(QueuekitPropertiesCheck.underscoredQueueVariables(
            environment(Map.of("QUEUEKIT_QUEUES_A_B_GLOBAL_MAX_WORKERS", "2")), Set.of()))
        .singleElement().asString()
        .contains("no queue named a_b or a_b_global at start-up (queues: none)",
            "read as queuekit.queues.a_b.global-max-workers or queuekit.queues.a_b_global.max-workers,");
  }

  @Test
  void theSameKeyFromAPropertiesFileIsUnknown() {
    // only a source whose "_" Spring reads as "." makes issue.indexer a possible issue_indexer
    var sources = properties(Map.of("queuekit.queues.issue.indexer.batch.length", "7"));
    assertThat(QueuekitPropertiesCheck.unknownKeys(sources)).singleElement().asString()
        .startsWith("queuekit.queues.issue.indexer.batch.length: unknown key, ignored");
    assertThat(QueuekitPropertiesCheck.underscoredQueueVariables(sources, Set.of())).isEmpty();
  }

  @Test
  void anUnknownKeyIsNamedWithTheClosestSetting() {
    assertThat(QueuekitPropertiesCheck.unknownKeys(properties(Map.of(
            "queuekit.queues.mail.max-worker", "8",
            "queuekit.defaults.batch-lenght", "5",
            "queuekit.defaults.length", "5"))))
        .containsExactly(
            "queuekit.defaults.batch-lenght: unknown key, ignored; did you mean"
                + " queuekit.defaults.batch-length (BATCH_LENGTH)?",
            "queuekit.queues.mail.max-worker: unknown key, ignored; did you mean"
                + " queuekit.queues.mail.max-workers (MAX_WORKERS)?");
  }

  @Test
  void aValueIsNeverPartOfAWarning() {
    assertThat(QueuekitPropertiesCheck.unknownKeys(properties(Map.of(
            "queuekit.queues.mail.conn-string", "redis://:hunter2secret@redis:6379/0"))))
        .singleElement().asString()
        .contains("did you mean queuekit.queues.mail.conn-str (CONN_STR)?")
        .doesNotContain("hunter2secret");
  }

  @Test
  void aConfiguredQueueNoneUsesIsNamedWithTheQueuesInUse() {
    assertThat(QueuekitPropertiesCheck.unusedQueues(Set.of("mail", "mial"), Set.of("mail", "hooks")))
        .singleElement().asString()
        .startsWith("queuekit.queues.mial: no queue named \"mial\"").contains("queues: hooks, mail");
  }
}
