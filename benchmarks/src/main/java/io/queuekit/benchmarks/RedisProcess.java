package io.queuekit.benchmarks;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway {@code redis-server} for one scenario: its own free port on 127.0.0.1 (never 6379,
 * which may be someone else's), its own temporary directory, no persistence, stopped at close. The
 * same recipe as conformance-tests' {@code RedisServer} fixture (feasibility.md §2), kept here so
 * the generator's jar does not carry the test frameworks that module depends on.
 *
 * <p>Found at {@code $REDIS_SERVER} or on {@code PATH}; {@link #unavailable()} says when neither
 * has one, so the Redis scenario is skipped with the reason instead of failing.
 */
final class RedisProcess implements AutoCloseable {
  private final Path dir;
  private final Process process;
  private final int port;

  private RedisProcess(Path dir, Process process, int port) {
    this.dir = dir;
    this.process = process;
    this.port = port;
  }

  /** Why no server can be started here, if none can. */
  static Optional<String> unavailable() {
    return binary().isPresent() ? Optional.empty()
        : Optional.of("no redis-server on PATH or at $REDIS_SERVER (apt-get install redis-server)");
  }

  private static Optional<String> binary() {
    String env = System.getenv("REDIS_SERVER");
    if (env != null && !env.isBlank()) {
      return new File(env).canExecute() ? Optional.of(env) : Optional.empty();
    }
    String path = System.getenv("PATH");
    if (path != null) {
      for (String d : path.split(File.pathSeparator)) {
        File f = new File(d, "redis-server");
        if (f.canExecute()) {
          return Optional.of(f.getPath());
        }
      }
    }
    return Optional.empty();
  }

  /** Starts a server on a fresh free port, retrying when another process takes the port first. */
  static RedisProcess start() throws IOException, InterruptedException {
    return start(List.of());
  }

  /** As {@link #start()}, with more command-line options ({@code --appendonly yes}, …). */
  static RedisProcess start(List<String> extra) throws IOException, InterruptedException {
    String bin = binary().orElseThrow(() -> new IllegalStateException(unavailable().get()));
    Path dir = Files.createTempDirectory("queuekit-bench-redis-");
    IllegalStateException last = null;
    for (int attempt = 0; attempt < 5; attempt++) {
      int port = freePort();
      List<String> cmd = new java.util.ArrayList<>(List.of(bin, "--port", Integer.toString(port),
          "--bind", "127.0.0.1", "--dir", dir.toString(), "--daemonize", "no", "--save", "",
          "--appendonly", "no", "--protected-mode", "no", "--logfile",
          dir.resolve("redis.log").toString()));
      cmd.addAll(extra);
      Process p = new ProcessBuilder(cmd)
          .redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile()).start();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (System.nanoTime() < deadline && p.isAlive()) {
        if (pong(port)) {
          return new RedisProcess(dir, p, port);
        }
        Thread.sleep(20);
      }
      p.destroyForcibly().waitFor();
      last = new IllegalStateException("redis-server on port " + port + " did not answer PING: "
          + Files.readString(dir.resolve("stdout.log")));
    }
    throw last;
  }

  private static boolean pong(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
      s.setSoTimeout(1000);
      OutputStream out = s.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      byte[] buf = new byte[7];
      int n = in.readNBytes(buf, 0, buf.length);
      return n == 7 && new String(buf, StandardCharsets.US_ASCII).equals("+PONG\r\n");
    } catch (IOException notYet) {
      // Not listening yet: the caller retries until its deadline.
      return false;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      int p = s.getLocalPort();
      return p == 6379 ? freePort() : p;
    }
  }

  int port() {
    return port;
  }

  /** {@code redis://127.0.0.1:PORT/0}: a queuekit {@code CONN_STR} and a Lettuce URI. */
  String uri() {
    return "redis://127.0.0.1:" + port + "/0";
  }

  /** {@code redis://127.0.0.1:PORT}: Redisson's address. */
  String address() {
    return "redis://127.0.0.1:" + port;
  }

  @Override
  public void close() throws IOException {
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      throw new IllegalStateException("interrupted while stopping redis-server", e);
    }
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> {
        try {
          Files.delete(f);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    }
  }
}
