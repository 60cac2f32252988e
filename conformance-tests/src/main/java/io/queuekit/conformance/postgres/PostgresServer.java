package io.queuekit.conformance.postgres;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL server for tests, made by {@code initdb} and run by {@code pg_ctl} from
 * Debian's {@code postgresql} package: its own free port on 127.0.0.1 (never 5432), its own
 * temporary directory (data and Unix socket), TCP logins by password (SCRAM) for the superuser
 * {@code postgres}. Binaries come from {@code $PG_BIN}, else the newest {@code
 * /usr/lib/postgresql/N/bin}, else {@code PATH}; when there are none, {@link #start()} fails
 * with the command that installs them (Testcontainers cannot run here: there is no Docker).
 *
 * <p>PostgreSQL refuses to run as root, so under root the server runs as the {@code postgres}
 * system user (the package creates it) through {@code runuser}. {@code fsync} is off: tests
 * kill the server process ({@link #crash()}), not the machine, and a commit's WAL, written to the
 * page cache before the commit returns ({@code synchronous_commit} stays on), survives that.
 *
 * <p><b>Thread-safety:</b> start, crash and stop from one thread; {@link #connStr} from any.
 */
public final class PostgresServer implements AutoCloseable {
  /** The superuser's password (a test fixture's; never a real secret). */
  public static final String PASSWORD = "pg-fixture-Secret/1";

  private static final AtomicInteger DATABASES = new AtomicInteger();
  private final Path dir;
  private final Path data;
  private final String bin;
  private final int port;
  private final List<String> settings;
  private boolean running;

  private PostgresServer(Path dir, String bin, int port, List<String> settings) {
    this.dir = dir;
    this.data = dir.resolve("data");
    this.bin = bin;
    this.port = port;
    this.settings = List.copyOf(settings);
  }

  /** Creates a cluster in a new temporary directory and starts it. */
  public static PostgresServer start() {
    return start(List.of());
  }

  /**
   * {@link #start()} with more server settings, each {@code name=value} without spaces (e.g.
   * {@code shared_preload_libraries=pg_stat_statements}).
   */
  public static PostgresServer start(List<String> settings) {
    String bin = binDir();
    try {
      Path dir = Files.createTempDirectory("queuekit-pg");
      PostgresServer s = new PostgresServer(dir, bin, freePort(), settings);
      s.init();
      s.startServer();
      return s;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The port the server listens on at 127.0.0.1. */
  public int port() {
    return port;
  }

  /** A new empty database; returns its name. */
  public String createDatabase() {
    String name = "qk_" + ProcessHandle.current().pid() + "_" + DATABASES.incrementAndGet();
    sql("postgres", "CREATE DATABASE " + name);
    return name;
  }

  /** {@code postgres://postgres:PASSWORD@127.0.0.1:PORT/database}. */
  public String connStr(String database) {
    return "postgres://postgres:" + PASSWORD.replace("/", "%2F") + "@127.0.0.1:" + port + "/"
        + database;
  }

  /** Runs {@code statement} in {@code database} as the superuser through psql; returns stdout. */
  public String sql(String database, String statement) {
    return run(List.of(tool("psql"), "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-h",
        dir.toString(), "-p", Integer.toString(port), "-U", "postgres", "-d", database, "-c",
        statement), false);
  }

  /** Stops the server as a crash would ({@code pg_ctl stop -m immediate}); data stays. */
  public void crash() {
    run(List.of(tool("pg_ctl"), "-D", data.toString(), "-m", "immediate", "-w", "stop"), true);
    running = false;
  }

  /**
   * Starts the server again on the same port and directory, after {@link #crash()}, and returns
   * once it answers a query over TCP (crash recovery may still run when pg_ctl says started).
   */
  public void restart() {
    startServer();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      try {
        run(List.of(tool("psql"), "-X", "-q", "-h", "127.0.0.1", "-p", Integer.toString(port),
            "-U", "postgres", "-d", "postgres", "-c", "SELECT 1"), false, PASSWORD);
        return;
      } catch (IllegalStateException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
      }
    }
  }

  /** Whether the server is running. */
  public boolean running() {
    return running;
  }

  /** Stops the server and deletes its directory. */
  @Override
  public void close() {
    if (running) {
      run(List.of(tool("pg_ctl"), "-D", data.toString(), "-m", "immediate", "-w", "stop"), true);
      running = false;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void init() throws IOException {
    Path pw = dir.resolve("pwfile");
    Files.writeString(pw, PASSWORD + "\n", StandardCharsets.UTF_8);
    if (root()) {
      run(List.of("chown", "-R", "postgres:postgres", dir.toString()), false);
    }
    run(List.of(tool("initdb"), "-D", data.toString(), "-U", "postgres", "--pwfile=" + pw,
        "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C",
        "--no-sync"), true);
    Files.delete(pw);
  }

  private void startServer() {
    String opts = "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off"
        + " -c full_page_writes=off -c max_connections=200"
        + settings.stream().map(x -> " -c " + x).collect(java.util.stream.Collectors.joining());
    run(List.of(tool("pg_ctl"), "-D", data.toString(), "-l", dir.resolve("server.log").toString(),
        "-o", opts, "-w", "-t", "60", "start"), true);
    running = true;
  }

  private String tool(String name) {
    return bin == null ? name : bin + "/" + name;
  }

  private String run(List<String> command, boolean asOwner) {
    return run(command, asOwner, null);
  }

  private String run(List<String> command, boolean asOwner, String password) {
    List<String> cmd = new ArrayList<>();
    if (asOwner && root()) {
      cmd.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    cmd.addAll(command);
    try {
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
      if (password != null) {
        pb.environment().put("PGPASSWORD", password);
      }
      Process p = pb.start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("timed out: " + String.join(" ", command));
      }
      if (p.exitValue() != 0) {
        throw new IllegalStateException("exit " + p.exitValue() + ": " + String.join(" ", command)
            + "\n" + out + logTail());
      }
      return out.strip();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + command.get(0)
          + " (apt-get install postgresql, or set PG_BIN)", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted: " + String.join(" ", command), e);
    }
  }

  /** The lines of the server's log holding {@code text} (say, "deadlock detected"). */
  public List<String> logLines(String text) {
    try {
      Path log = dir.resolve("server.log");
      return Files.exists(log)
          ? Files.readAllLines(log).stream().filter(l -> l.contains(text)).toList()
          : List.of();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + dir.resolve("server.log"), e);
    }
  }

  private String logTail() {
    Path log = dir.resolve("server.log");
    try {
      if (!Files.exists(log)) {
        return "";
      }
      List<String> lines = Files.readAllLines(log);
      return "\nserver.log:\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 20),
          lines.size()));
    } catch (IOException e) {
      return "\n(server.log unreadable: " + e + ")";
    }
  }

  private static boolean root() {
    return "root".equals(System.getProperty("user.name"));
  }

  /** {@code $PG_BIN}, else the newest /usr/lib/postgresql/N/bin, else null (use PATH). */
  static String binDir() {
    String env = System.getenv("PG_BIN");
    if (env != null && !env.isBlank()) {
      return env;
    }
    File[] versions = new File("/usr/lib/postgresql").listFiles();
    if (versions != null) {
      File best = null;
      for (File v : versions) {
        if (new File(v, "bin/initdb").canExecute() && (best == null
            || Integer.parseInt(v.getName().replaceAll("\\D", "0"))
                > Integer.parseInt(best.getName().replaceAll("\\D", "0")))) {
          best = v;
        }
      }
      if (best != null) {
        return new File(best, "bin").getPath();
      }
    }
    return null;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    }
  }
}
