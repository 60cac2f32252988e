package io.queuekit.testbackend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.queuekit.PushResult;
import io.queuekit.QueueConfigException;
import io.queuekit.QueueManager;
import io.queuekit.QueueSettings;
import io.queuekit.WorkerPoolQueue;
import io.queuekit.ini.ConfigCheck;
import io.queuekit.ini.Finding;
import io.queuekit.ini.IniFile;
import io.queuekit.spi.BaseQueues;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backend queue-api does not know plugs in by ServiceLoader alone: its names, its CONN_STR
 * scheme, outdated form and rules reach the settings, the configuration check and start-up.
 */
class MemoRegistryTest {
  @TempDir Path data;

  private static List<Finding> check(String ini) {
    return ConfigCheck.run(IniFile.parse(ini, "app.ini"));
  }

  @Test
  void itsNamesAreTypeNames() {
    assertThat(BaseQueues.load().types()).contains("memo", "channel");
    assertThat(QueueSettings.builder().type("memory").build().type()).isEqualTo("memo");
    assertThat(QueueSettings.oldTypeName("unique-memo")).contains("memo");
    assertThatThrownBy(() -> QueueSettings.builder().type("Memo"))
        .isInstanceOf(QueueConfigException.class).hasMessageContaining("did you mean memo?");
  }

  @Test
  void startUpFromAnIniFileHandlesItems() {
    List<String> seen = new CopyOnWriteArrayList<>();
    try (QueueManager m = QueueManager.builder().dataPath(data)
        .ini("[queue.mail]\nTYPE = memory\nCONN_STR = memo://box\n", "app.ini").build()) {
      WorkerPoolQueue<String> q = m.createSimple("mail", String.class, items -> {
        seen.addAll(items);
        return List.of();
      });
      assertThat(m.settings("mail").type()).isEqualTo("memo");
      assertThat(q.push("hello")).isEqualTo(PushResult.ADDED);
      assertThat(q.flush(Duration.ofSeconds(10))).isTrue();
      assertThat(seen).containsExactly("hello");
    }
  }

  @Test
  void checkAndStartUpRefuseWhatItsRulesRefuseNamingFileAndLine() {
    String ini = "[queue]\nLENGTH = 10\n[queue.mail]\nTYPE = memo\nCONN_STR = memo://\n";
    assertThat(check(ini)).singleElement().satisfies(f -> {
      assertThat(f.severity()).isEqualTo(Finding.Severity.ERROR);
      assertThat(f.location()).isEqualTo("app.ini:5 [queue.mail] CONN_STR");
      assertThat(f.message()).contains("is not a memo connection string");
    });
    assertThatThrownBy(() -> QueueManager.builder().dataPath(data).ini(ini, "app.ini").build())
        .isInstanceOf(QueueConfigException.class)
        .hasMessageContaining("app.ini:5").hasMessageContaining("is not a memo connection string");
  }

  @Test
  void anotherTypeGivenItsConnStrIsToldWhichBackendItIsFor() {
    List<Finding> findings = check("[queue.mail]\nTYPE = channel\nCONN_STR = memo://box\n");
    // the channel backend has no CONN_STR rules, so it takes any: nothing to report
    assertThat(findings).isEmpty();
    Finding f = check("[queue.mail]\nTYPE = memo\nCONN_STR = leveldb:///q\n").get(0);
    assertThat(f.message()).contains("cannot be used by a memo queue");
  }

  @Test
  void itsOutdatedFormAndFormerNameWarnWithTheCurrentOnes() {
    List<Finding> findings = check("[queue.mail]\nTYPE = unique-memo\nCONN_STR = memo:box\n");
    assertThat(findings).extracting(Finding::severity)
        .containsOnly(Finding.Severity.WARNING);
    assertThat(findings).extracting(Finding::fix).anySatisfy(fix ->
        assertThat(fix).contains("TYPE = memo")).anySatisfy(fix ->
        assertThat(fix).contains("CONN_STR = memo://box"));
  }

  @Test
  void aPublishedTypeWhoseJarIsMissingNamesTheArtifactToAddAndTheLine() {
    // this module's class path holds the memo and channel backends only
    assertThatThrownBy(() -> QueueManager.builder().dataPath(data)
        .ini("[queue]\nLENGTH = 10\n[queue.mail]\nTYPE = immediate\n", "app.ini").build())
        .isInstanceOf(QueueConfigException.class)
        .hasMessageContaining("app.ini:4")
        .hasMessageContaining("TYPE=immediate: no backend on the class path serves it; add the"
            + " artifact io.queuekit:queue-dummy (on the class path: channel, memo)")
        .hasMessageNotContaining("queue-immediate");
  }
}
