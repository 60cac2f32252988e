package io.queuekit.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.queuekit.conformance.CapturedErr;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A generated token never reaches the log: the operator reads the login URL from a file only the
 * process's user can read, which the log names.
 */
class AdminLoginUrlFileTest {

  @TempDir Path data;
  private AdminFixture f;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() {
    f = new AdminFixture(data);
  }

  @AfterEach
  void stop() {
    f.close();
  }

  /** The status of {@code GET /api/queues} on the page {@code loginUrl} opens, with its token. */
  private int queuesWith(String loginUrl) throws Exception {
    int fragment = loginUrl.indexOf("#token=");
    assertThat(fragment).as(loginUrl).isPositive();
    HttpRequest request = HttpRequest.newBuilder(URI.create(loginUrl.substring(0, fragment) + "api/queues"))
        .header("Authorization", "Bearer " + loginUrl.substring(fragment + "#token=".length())).build();
    return http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode();
  }

  @Test
  void aGeneratedTokenIsInAnOwnerOnlyFileTheLogNamesAndInNoLogLine() throws Exception {
    String log;
    Path file = data.resolve("queuekit-admin-login.txt");
    try (CapturedErr err = CapturedErr.start()) {
      try (AdminServer admin = AdminServer.builder(f.manager).start()) {
        log = err.text();
        assertThat(admin.loginUrlFile()).as("the default: in the data path").contains(file.toAbsolutePath());

        // the log names the page and the file, and holds the token on no line
        assertThat(log).contains("queuekit admin page: " + admin.url())
            .contains(file.toAbsolutePath().toString()).contains("readable by this user only");
        assertThat(log.lines()).isNotEmpty().noneMatch(line -> line.contains(admin.token()));

        // the operator reads the URL from the file, and it opens the API
        String written = Files.readString(file, StandardCharsets.UTF_8);
        assertThat(written).isEqualTo(admin.loginUrl() + "\n");
        assertThat(queuesWith(written.strip())).isEqualTo(200);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        try (Stream<Path> files = Files.list(data)) {
          assertThat(files.map(p -> p.getFileName().toString())).as("no temporary file left")
              .noneMatch(n -> n.endsWith(".tmp"));
        }
      }
      assertThat(file).as("its token opens nothing once the server is closed").doesNotExist();
      assertThat(err.text().lines()).noneMatch(line -> line.contains("#token="));
    }
  }

  @Test
  void aConfiguredFileIsWrittenThereItsDirectoriesCreatedAndAWiderOneReplaced() throws Exception {
    Path file = data.resolve("run/admin/login");
    Files.createDirectories(file.getParent());
    Files.writeString(file, "an earlier run's URL\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    try (AdminServer admin = AdminServer.builder(f.manager).loginUrlFile(file).start()) {
      assertThat(admin.loginUrlFile()).contains(file.toAbsolutePath());
      assertThat(Files.readString(file)).isEqualTo(admin.loginUrl() + "\n");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }
    Path nested = data.resolve("not/yet/there.txt");
    try (AdminServer admin = AdminServer.builder(f.manager).loginUrlFile(nested).start()) {
      assertThat(queuesWith(Files.readString(nested).strip())).isEqualTo(200);
    }
  }

  @Test
  void aFileOfAnotherServerIsLeftAtClose() throws Exception {
    Path file = data.resolve("shared.txt");
    AdminServer first = AdminServer.builder(f.manager).loginUrlFile(file).start();
    try (AdminServer second = AdminServer.builder(f.manager).loginUrlFile(file).start()) {
      first.close();
      assertThat(Files.readString(file)).as("the second server's, which the first must not delete")
          .isEqualTo(second.loginUrl() + "\n");
    }
    assertThat(file).doesNotExist();
  }

  @Test
  void aConfiguredTokenIsNeitherLoggedNorWritten() throws Exception {
    String token = "a-configured-token-0123456789";
    try (CapturedErr err = CapturedErr.start();
        AdminServer admin = AdminServer.builder(f.manager).token(token).loginUrlFile(data.resolve("unused.txt")).start()) {
      assertThat(admin.loginUrlFile()).isEmpty();
      assertThat(err.text()).contains("queuekit admin page: " + admin.url()).doesNotContain(token)
          .contains("the login URL file " + data.resolve("unused.txt").toAbsolutePath()
              + " is not written");
      assertThat(data.resolve("unused.txt")).doesNotExist();
      assertThat(queuesWith(admin.loginUrl())).isEqualTo(200);
    }
  }

  @Test
  void aFileThatCannotBeWrittenFailsTheStartNamingItAndTheWayOut() throws Exception {
    Path notADirectory = data.resolve("a-file");
    Files.writeString(notADirectory, "");
    Path file = notADirectory.resolve("login.txt");
    int port;
    try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
      port = free.getLocalPort();
    }
    try (CapturedErr err = CapturedErr.start()) {
      assertThatThrownBy(() -> AdminServer.builder(f.manager).port(port).loginUrlFile(file).start())
          .hasMessageContaining("cannot write its login URL to " + file.toAbsolutePath())
          .hasMessageContaining("loginUrlFile(...)").hasMessageContaining("token(...)")
          .hasMessageNotContaining("#token=");
      assertThat(err.text()).doesNotContain("#token=");
    }
    try (AdminServer again = AdminServer.builder(f.manager).port(port).start()) {
      assertThat(again.port()).as("the failed server let its port go").isEqualTo(port);
    }
  }
}
