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
