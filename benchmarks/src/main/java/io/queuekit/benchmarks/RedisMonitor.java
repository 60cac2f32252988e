package io.queuekit.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A raw {@code MONITOR} connection: counts every command the server reports while it is open,
 * split by where it came from: a line tagged {@code [db lua]} is a command a script ran, any other
 * a command a client sent (a round trip). {@code INFO commandstats} counts both alike; this tells
 * them apart. The monitor's own {@code INFO} readings are left out.
 */
final class RedisMonitor implements AutoCloseable {
  /** Commands by name: sent by clients, and run inside scripts. */
  record Counts(Map<String, Long> sent, Map<String, Long> inScripts) {}

  private final Socket socket;
  private final BufferedReader in;
  private final Thread reader;
  private final Map<String, Long> sent = new TreeMap<>();
  private final Map<String, Long> inScripts = new TreeMap<>();
  private volatile boolean counting = true;
  private volatile IOException failure;

  private RedisMonitor(Socket socket, BufferedReader in) {
    this.socket = socket;
    this.in = in;
    this.reader = new Thread(this::read, "bench-redis-monitor");
    this.reader.setDaemon(true);
  }

  /** Connects to {@code redis://host:port/db} and starts counting. */
  static RedisMonitor start(String uri) throws IOException {
    URI u = URI.create(uri);
    Socket s = new Socket(u.getHost(), u.getPort());
    s.getOutputStream().write("MONITOR\r\n".getBytes(StandardCharsets.UTF_8));
    s.getOutputStream().flush();
    BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(),
        StandardCharsets.UTF_8));
    String ok = in.readLine();
    if (!"+OK".equals(ok)) {
      s.close();
      throw new IllegalStateException("MONITOR answered " + ok);
    }
    RedisMonitor m = new RedisMonitor(s, in);
    m.reader.start();
    return m;
  }

  private void read() {
    try {
      String line;
      while (counting && (line = in.readLine()) != null) {
        // +1700000000.123456 [0 127.0.0.1:58390] "evalsha" "…"   or   … [0 lua] "hexists" …
        int open = line.indexOf('[');
        int close = open < 0 ? -1 : line.indexOf(']', open);
        int q = close < 0 ? -1 : line.indexOf('"', close);
        if (q < 0) {
          throw new IOException("unexpected MONITOR line: " + line);
        }
        String cmd = line.substring(q + 1, line.indexOf('"', q + 1)).toLowerCase(Locale.ROOT);
        if (cmd.equals("info")) {
          continue;
        }
        Map<String, Long> into = line.substring(open, close).endsWith(" lua") ? inScripts : sent;
        synchronized (this) {
          into.merge(cmd, 1L, Long::sum);
        }
      }
    } catch (IOException e) {
      if (counting) {
        failure = e;
      }
      // Otherwise: stop() closed the socket under the blocked read.
    }
  }

  /** Stops counting and returns the counts; rethrows a failure of the reader. */
  Counts stop() throws IOException, InterruptedException {
    counting = false;
    socket.close();
    reader.join(5_000);
    if (failure != null) {
      throw failure;
    }
    synchronized (this) {
      return new Counts(new TreeMap<>(sent), new TreeMap<>(inScripts));
    }
  }

  @Override
  public void close() throws IOException {
    counting = false;
    socket.close();
  }
}
