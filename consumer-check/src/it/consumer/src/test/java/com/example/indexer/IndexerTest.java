package com.example.indexer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.queuekit.PushResult;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Built outside the reactor against the installed BOM and jars: what a user's build sees. */
class IndexerTest {

  @TempDir Path data;

  @Test
  void indexesEveryPushedIssueOnTheDefaultStore() {
    try (Indexer indexer = new Indexer(data)) {
      LongStream.rangeClosed(1, 100).forEach(id -> assertEquals(PushResult.ADDED, indexer.index(id)));
      assertTrue(indexer.flush(Duration.ofSeconds(30)), "the queue drains");
      assertEquals(LongStream.rangeClosed(1, 100).boxed().collect(Collectors.toSet()), indexer.indexed());
    }
    assertTrue(Files.isDirectory(data.resolve("queues")) || hasLevelFiles(data),
        "items went through LevelDB under " + data);
  }

  @Test
  void everyQueuekitJarCarriesItsModuleNameAndTheLicence() throws IOException {
    List<String> jars = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      if (entry.replace('\\', '/').contains("/io/queuekit/") && entry.endsWith(".jar")) {
        jars.add(entry);
      }
    }
    assertTrue(jars.size() >= 3, "queue-api, queue-level and queue-channel on the class path: " + jars);
    for (String jar : jars) {
      try (JarFile file = new JarFile(jar)) {
        String name = file.getManifest().getMainAttributes().getValue("Automatic-Module-Name");
        assertNotNull(name, jar + " has no Automatic-Module-Name");
        assertTrue(name.startsWith("io.queuekit"), jar + ": " + name);
        assertNotNull(file.getEntry("META-INF/LICENSE"), jar + " has no META-INF/LICENSE");
        String licence = new String(file.getInputStream(file.getEntry("META-INF/LICENSE")).readAllBytes(),
            StandardCharsets.UTF_8);
        assertTrue(licence.contains("Apache License"), jar + "'s LICENSE is not Apache-2.0");
      }
    }
  }

  @Test
  void theInstalledPomsCarryWhatMavenCentralRequires() throws IOException {
    Path repo = Path.of(System.getProperty("queuekit.itRepo"), "io", "queuekit");
    for (String artifact : List.of("queuekit-parent", "queuekit-bom")) {
      Path pom;
      try (Stream<Path> files = Files.walk(repo.resolve(artifact))) {
        pom = files.filter(p -> p.toString().endsWith(".pom")).findFirst().orElseThrow();
      }
      String text = Files.readString(pom);
      for (String required : List.of("<name>", "<description>", "<url>", "<licenses>", "Apache-2.0",
          "<developers>", "<scm", "<connection>")) {
        assertTrue(text.contains(required), pom + " lacks " + required);
      }
    }
  }

  private static boolean hasLevelFiles(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.anyMatch(p -> p.getFileName().toString().equals("CURRENT"));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
